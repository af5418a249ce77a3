#pragma once
// TL1 (Telcordia GR-831) as Polatis and Calient switches speak it: both directions, so the
// drivers (client side) and mixnet-ocs-emu (server side) share one grammar. Pure functions and
// an incremental reply framer: no I/O here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::ocs::tl1 {

// "VERB-MOD:TID:AID:CTAG:GENERAL:PAYLOAD..." up to the terminating ';'.
struct Command {
  std::string verb;                  // "ENT-PATCH", upper case
  std::string tid;                   // usually empty
  std::string aid;                   // "1,17", "1&2&5", "1&&16", "ALL", "admin"
  std::string ctag;                  // client tag, echoed in the reply
  std::vector<std::string> trailing; // the blocks after the ctag, in order (may be empty strings)
};

std::string format_command(const Command& cmd);            // ends with ';'
Result<Command> parse_command(std::string_view text);      // text up to and including ';'

// Splits a byte stream into commands at ';' (a server reads commands from a TCP stream).
class CommandFramer {
 public:
  void feed(std::string_view bytes);
  std::optional<std::string> next();   // one whole command text including ';'
  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }
 private:
  std::string buffer_;
};

enum class Completion { compld, deny, prtl, rtrv, delay };  // COMPLD, DENY, PRTL, RTRV, DELAY
std::string_view to_string(Completion c);

struct Reply {
  std::string tid;
  std::string date;          // "26-11-29"
  std::string time;          // "06:40:12"
  std::string ctag;
  Completion completion = Completion::compld;
  std::string error_code;    // DENY: the 4-letter code (any 4 letters are accepted)
  std::string error_text;    // DENY: the explanatory text, if any
  std::vector<std::string> lines;  // the quoted response lines, without their quotes
};

// "\r\n\n   TID YY-MM-DD HH:MM:SS\r\nM  CTAG COMPLD\r\n   \"11,28\"\r\n;" (REFERENCE.md)
std::string format_reply(const Reply& reply);

// Splits a byte stream into replies (a client reads replies that arrive split across reads, or
// several in one read) and parses each. Autonomous messages (A/*/** code lines) are skipped.
class ReplyFramer {
 public:
  void feed(std::string_view bytes);
  Result<std::optional<Reply>> next();   // error: a complete but malformed reply
 private:
  std::string buffer_;
};

// AID lists: "1&2&5", ranges "1&&16", "ALL" (all_ports given by the caller); errors name "aid".
Result<std::vector<int>> expand_port_list(std::string_view aid, int max_port);
std::string join_port_list(const std::vector<int>& ports);  // "1&2&5"

}  // namespace mixnet::ocs::tl1
