// Fuzzes the TL1 codec in both directions: the ReplyFramer (fed the input in pieces whose sizes
// the input chooses, so replies split anywhere), parse_reply, the CommandFramer and parse_command,
// and expand_port_list. Checks invariants and aborts when one breaks:
//  - a command that parses formats back to text that parses to the same fields;
//  - an expanded port list holds only ports in 1..max, no duplicates, and survives join+expand;
//  - the framers never hand out more than they were fed, and a formatted reply of a parsed one
//    parses again with the same ctag and completion.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "hwdrivers/ocs/tl1_codec.hpp"

using namespace mixnet::ocs::tl1;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void fuzz_replies(std::string_view data, std::uint8_t step_seed) {
  ReplyFramer framer;
  std::size_t pos = 0;
  std::size_t step = 1 + step_seed % 17;
  int guard = 0;
  while (pos < data.size()) {
    const auto n = std::min(step, data.size() - pos);
    framer.feed(data.substr(pos, n));
    pos += n;
    step = 1 + (step * 7 + 3) % 23;
    for (;;) {
      auto r = framer.next();
      check(++guard < 1'000'000);
      if (!r) continue;   // a malformed reply is reported and skipped
      if (!r->has_value()) break;
      const Reply& reply = **r;
      // Re-formatting a parsed reply must give a reply with the same ctag and completion.
      auto again = parse_reply(format_reply(reply));
      if (again && reply.ctag.find_first_of("\"/*") == std::string::npos) {
        check(again->ctag == reply.ctag);
        check(again->completion == reply.completion);
      }
    }
    check(framer.buffered() <= pos);
  }
  (void)parse_reply(data);
}

void fuzz_commands(std::string_view data) {
  CommandFramer framer;
  framer.feed(data);
  while (auto text = framer.next()) {
    auto cmd = parse_command(*text);
    if (!cmd) continue;
    const std::string formatted = format_command(*cmd);
    auto back = parse_command(formatted);
    check(back.has_value());
    check(back->verb == cmd->verb && back->tid == cmd->tid && back->aid == cmd->aid && back->ctag == cmd->ctag &&
          back->trailing == cmd->trailing);
  }
  check(framer.buffered() <= data.size());
  (void)parse_command(data);
}

void fuzz_ports(std::string_view aid, int max_port) {
  auto ports = expand_port_list(aid, max_port);
  if (!ports) return;
  std::set<int> seen;
  for (int p : *ports) {
    check(p >= 1 && p <= max_port);
    check(seen.insert(p).second);
  }
  if (ports->empty()) return;
  auto again = expand_port_list(join_port_list(*ports), max_port);
  check(again.has_value() && *again == *ports);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::uint8_t mode = data[0];
  const std::string_view rest = all.substr(1);
  fuzz_replies(rest, mode);
  fuzz_commands(rest);
  // Port lists: a first line (up to 256 bytes) as the AID, the switch size from the mode byte.
  const auto nl = rest.find('\n');
  const auto aid = rest.substr(0, std::min<std::size_t>(nl == std::string_view::npos ? rest.size() : nl, 256));
  fuzz_ports(aid, 1 + mode * 3);
  for (const auto& item : split_list(aid)) (void)item;
  return 0;
}
