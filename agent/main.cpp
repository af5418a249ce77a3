// mixnet-agent: the per-host agent. See docs/agent-api.md and `mixnet-agent --help`.
#include <cstdio>
#include <exception>
#include <spdlog/spdlog.h>

#include "agent/agent_app.hpp"
#include "agent/agent_config.hpp"
#include "common/logging.hpp"

int main(int argc, char** argv) {
  try {
    const auto cl = mixnet::agent::parse_command_line(argc, argv);
    if (!cl.config) {
      std::fputs(cl.message.c_str(), cl.exit_code == 0 ? stdout : stderr);
      return cl.exit_code;
    }
    if (auto r = mixnet::setup_logging(cl.config->log_level, "mixnet-agent"); !r) {
      std::fprintf(stderr, "mixnet-agent: --log-level: %s\n", r.error().message.c_str());
      return 2;
    }
    return mixnet::agent::run_agent(*cl.config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mixnet-agent: %s\n", e.what());
    return 1;
  }
}
