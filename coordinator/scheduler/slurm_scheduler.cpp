#include "coordinator/scheduler/slurm_scheduler.hpp"

#include <cctype>

#include <fmt/format.h>

#include "common/subprocess.hpp"
#include "common/text.hpp"
#include "coordinator/scheduler/scontrol_parse.hpp"

namespace mixnet::coord::scheduler {

namespace {

// Slurm node names as scontrol takes them: no spaces, no hostlist brackets or commas (one node per
// call, never an expression that could name many).
Result<void> check_node_name(const std::string& node) {
  if (node.empty() || node.size() > 63)
    return fail(Errc::invalid_argument, fmt::format("Slurm node name '{}' is empty or longer than 63", node), "node");
  for (char c : node) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    if (!ok) return fail(Errc::invalid_argument, fmt::format("Slurm node name '{}' has '{}' ([A-Za-z0-9_.-] only)", node, c), "node");
  }
  return {};
}

// What a failed scontrol said, as one short line.
std::string said(const ProgramResult& r) {
  std::string text = trim(r.err.empty() ? r.out : r.err);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text.empty() ? "(no message)" : text;
}

// scontrol's exit status is 1 for every failure; its message is the only thing that tells an
// unknown node and an unreachable controller apart. Read here, at the edge, into a code.
Errc code_of(const ProgramResult& r) {
  if (r.exit_code == 127) return Errc::unavailable;  // no scontrol
  const std::string text = r.err + r.out;
  if (text.find("Unable to contact") != std::string::npos || text.find("Connection refused") != std::string::npos ||
      text.find("Socket timed out") != std::string::npos)
    return Errc::unavailable;
  if (text.find("Node ") != std::string::npos && text.find(" not found") != std::string::npos) return Errc::not_found;
  if (text.find("Access/permission denied") != std::string::npos) return Errc::unauthorized;
  return Errc::denied;
}

}  // namespace

std::vector<std::string> SlurmScheduler::show_argv(const std::string& node) const {
  return {options_.scontrol, "show", "node", "-o", node};
}

std::vector<std::string> SlurmScheduler::drain_argv(const std::string& node, const std::string& reason) const {
  return {options_.scontrol, "update", "NodeName=" + node, "State=DRAIN", "Reason=" + reason};
}

std::vector<std::string> SlurmScheduler::resume_argv(const std::string& node) const {
  return {options_.scontrol, "update", "NodeName=" + node, "State=RESUME"};
}

std::string SlurmScheduler::command_line(const std::vector<std::string>& argv) const {
  const std::string line = shell_quote(argv);
  return options_.slurm_conf.empty() ? line : shell_quote({"SLURM_CONF=" + options_.slurm_conf}) + " " + line;
}

Result<std::string> SlurmScheduler::run(const std::string& node, const std::vector<std::string>& argv) {
  ProgramRun run{.argv = argv, .input = {}, .timeout = options_.timeout, .env = {}, .merge_stderr = false};
  if (!options_.slurm_conf.empty()) run.env.emplace_back("SLURM_CONF", options_.slurm_conf);
  const std::string what = fmt::format("node {}: {}", node, command_line(argv));
  auto r = run_program(run);
  if (!r) return std::unexpected(r.error().context(what));
  if (r->exit_code != 0)
    return fail(code_of(*r), fmt::format("{}: exit {}: {}", what, r->exit_code, said(*r)));
  return std::move(r->out);
}

Result<NodeState> SlurmScheduler::show(const std::string& node) {
  if (auto ok = check_node_name(node); !ok) return std::unexpected(ok.error());
  auto out = run(node, show_argv(node));
  if (!out) return std::unexpected(out.error());
  auto state = parse_scontrol_node(*out, node);
  if (!state) return std::unexpected(state.error().context(command_line(show_argv(node))));
  return state;
}

Result<void> SlurmScheduler::drain(const std::string& node, const std::string& reason) {
  if (auto ok = check_node_name(node); !ok) return ok;
  if (trim(reason).empty()) return fail(Errc::invalid_argument, fmt::format("node {}: a drain needs a reason", node), "reason");
  auto out = run(node, drain_argv(node, reason));
  if (!out) return std::unexpected(out.error());
  return {};
}

Result<void> SlurmScheduler::resume(const std::string& node) {
  if (auto ok = check_node_name(node); !ok) return ok;
  auto out = run(node, resume_argv(node));
  if (!out) return std::unexpected(out.error());
  return {};
}

void DryRunScheduler::print(const std::vector<std::string>& argv) {
  printed_.push_back(reader_.command_line(argv));
}

Result<void> DryRunScheduler::drain(const std::string& node, const std::string& reason) {
  print(reader_.drain_argv(node, reason));
  return {};
}

Result<void> DryRunScheduler::resume(const std::string& node) {
  print(reader_.resume_argv(node));
  return {};
}

std::string one_line_reason(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) out += std::iscntrl(static_cast<unsigned char>(c)) != 0 ? ' ' : c;
  out = trim(out);
  if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
  return out;
}

}  // namespace mixnet::coord::scheduler
