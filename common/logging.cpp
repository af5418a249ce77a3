#include "common/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace mixnet {

Result<void> setup_logging(std::string_view level, std::string_view program) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off") {
    return fail(Errc::invalid_argument,
                "unknown log level '" + std::string(level) +
                    "' (use trace, debug, info, warn, error, critical or off)",
                "log-level");
  }
  spdlog::drop(std::string(program));  // a second set-up (tests) replaces the first
  auto logger = spdlog::stderr_color_mt(std::string(program));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%f %n %^%l%$ %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(std::move(logger));
  return {};
}

}  // namespace mixnet
