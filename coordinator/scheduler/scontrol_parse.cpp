#include "coordinator/scheduler/scontrol_parse.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/text.hpp"

namespace mixnet::coord::scheduler {

namespace {

// The value of the field `key` ("State") in `fields`: from after "State=" to the next space.
// A key counts only at the start of the line or after a space, so "CfgTRES=cpu=1" is not "cpu".
std::string_view field(std::string_view fields, std::string_view key) {
  const std::string needle = std::string(key) + "=";
  std::size_t at = 0;
  while ((at = fields.find(needle, at)) != std::string_view::npos) {
    if (at == 0 || fields[at - 1] == ' ') {
      const auto start = at + needle.size();
      const auto end = fields.find(' ', start);
      return fields.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    }
    at += needle.size();
  }
  return {};
}

bool plain_token(std::string_view s) {
  return !s.empty() && std::ranges::none_of(s, [](char c) { return c == ' ' || c == '[' || c == ']' || c == '@'; });
}

// Splits "TEXT [user@time]" (with optional later fields such as " Comment=...") into its parts.
// The last " [user@time]" whose tail is the line's end or further Key= fields is the stamp, so a
// person's reason that itself holds brackets stays whole.
void split_reason(std::string_view rest, NodeState& out) {
  for (auto open = rest.rfind(" ["); open != std::string_view::npos; open = open == 0 ? std::string_view::npos : rest.rfind(" [", open - 1)) {
    const auto close = rest.find(']', open);
    if (close == std::string_view::npos) continue;
    const auto stamp = rest.substr(open + 2, close - open - 2);
    const auto at = stamp.find('@');
    if (at == std::string_view::npos || !plain_token(stamp.substr(0, at)) || !plain_token(stamp.substr(at + 1))) continue;
    const auto tail = rest.substr(close + 1);
    const bool tail_is_fields = tail.empty() || (tail.front() == ' ' && tail.find('=') != std::string_view::npos);
    if (!tail_is_fields) continue;
    out.reason = std::string(rest.substr(0, open));
    out.reason_user = std::string(stamp.substr(0, at));
    out.reason_time = std::string(stamp.substr(at + 1));
    return;
  }
  out.reason = trim(rest);  // no stamp: keep the text as it is
}

}  // namespace

bool NodeState::has_flag(std::string_view flag) const { return std::ranges::find(flags, flag) != flags.end(); }

// DRAIN is the flag scontrol shows; sinfo's DRAINED/DRAINING are its two phases.
bool NodeState::drained() const { return has_flag("DRAIN") || has_flag("DRAINED") || has_flag("DRAINING"); }

Result<NodeState> parse_scontrol_node(std::string_view line, std::string_view expected_node) {
  line = trim_view(line);
  // Several lines: scontrol answered for more than one node (a hostlist expression); refuse.
  if (line.find('\n') != std::string_view::npos)
    return fail(Errc::protocol, fmt::format("node {}: scontrol printed more than one node", expected_node));
  std::string_view fields = line;
  std::string_view reason_rest;
  bool has_reason = false;
  const auto reason_at = line.find(" Reason=");
  if (reason_at != std::string_view::npos) {
    fields = line.substr(0, reason_at);
    reason_rest = line.substr(reason_at + 8);
    has_reason = true;
  }
  NodeState out;
  const auto name = field(fields, "NodeName");
  if (name.empty()) return fail(Errc::protocol, fmt::format("node {}: no NodeName in scontrol's answer '{}'", expected_node, line.substr(0, 80)));
  if (name != expected_node)
    return fail(Errc::protocol, fmt::format("node {}: scontrol answered for node '{}'", expected_node, name));
  out.node = std::string(name);
  const auto state = field(fields, "State");
  if (state.empty()) return fail(Errc::protocol, fmt::format("node {}: no State in scontrol's answer", expected_node));
  out.state = std::string(state);
  std::size_t start = 0;
  while (start <= state.size()) {
    const auto end = std::min(state.find('+', start), state.size());
    if (end > start) out.flags.emplace_back(state.substr(start, end - start));
    start = end + 1;
  }
  // Slurm marks a state that is a transition with a suffix ("IDLE*" not responding, "DOWN~" powered
  // off); the flag names are without it.
  for (auto& flag : out.flags) {
    while (!flag.empty() && std::ispunct(static_cast<unsigned char>(flag.back())) != 0 && flag.back() != '_') flag.pop_back();
  }
  if (has_reason) split_reason(reason_rest, out);
  return out;
}

}  // namespace mixnet::coord::scheduler
