#pragma once
// TL1 (Telcordia GR-831) as Polatis and Calient switches speak it: both directions, so the
// drivers (client side) and mixnet-ocs-emu (server side) share one grammar. Pure functions and
// an incremental reply framer: no I/O here.
#include <cstdint>
#include <deque>
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
// A ';' inside a double-quoted string does not end a command (a line end closes any quote, so a
// stray '"' cannot swallow the rest of the stream). Leading white space (the CR LF a
// client sends after each ';') is dropped. The framer never limits its buffer: a server checks
// buffered() against its own bound and drops a client that sends an endless command.
class CommandFramer {
 public:
  void feed(std::string_view bytes);
  std::optional<std::string> next();   // one whole command text including ';'
  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }
 private:
  std::string buffer_;
  std::size_t scan_ = 0;      // bytes of buffer_ already scanned for a terminator
  bool in_quote_ = false;     // scan state at scan_
  bool escaped_ = false;
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
// A DENY carries its code on the line after "M  CTAG DENY" and its text as a /* comment */.
// Quotes and backslashes inside lines are escaped with a backslash. An empty date or time is
// filled from the system clock (UTC), so a server need not format them itself.
std::string format_reply(const Reply& reply);

// Parses one whole reply text (header to ';'). Errors are Errc::protocol and say what is wrong.
Result<Reply> parse_reply(std::string_view text);

// Splits a byte stream into replies (a client reads replies that arrive split across reads, or
// several in one read) and parses each. Autonomous messages (A/*/** code lines) and
// acknowledgements ("IP <ctag>" ended by '<') are skipped. A reply ended by '>' (TL1's "more
// follows") is held and merged with the parts that follow under the same ctag. A message is ended
// by a ';' outside quotes and comments. A malformed message is dropped (next() reports it once and
// the framer carries on with the bytes after it); more than kMaxMessage bytes without an end is an
// error too, and the buffer is cleared.
class ReplyFramer {
 public:
  static constexpr std::size_t kMaxMessage = 1 << 20;
  void feed(std::string_view bytes);
  Result<std::optional<Reply>> next();   // error: a complete but malformed reply
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - consumed_; }
  void reset();                          // forget everything (a new session)
 private:
  enum class Scan { normal, quote, quote_escape, comment };
  std::string buffer_;
  std::size_t consumed_ = 0;    // bytes of buffer_ already handed out
  std::size_t scan_ = 0;        // bytes of buffer_ already scanned
  Scan state_ = Scan::normal;
  bool line_start_ = true;      // only white space since the last LF
  std::optional<Reply> partial_;   // a '>'-ended part waiting for the rest
  std::deque<Reply> ready_;
};

// AID lists: "1&2&5", ranges "1&&16", "ALL" (all_ports given by the caller); errors name "aid".
// The result keeps the order given, without duplicates; every port is within 1..max_port; a range
// must not run backwards.
Result<std::vector<int>> expand_port_list(std::string_view aid, int max_port);
std::string join_port_list(const std::vector<int>& ports);  // "1&2&5"; runs of 3+ as "1&&16"

// Splits "a&b&c" into its items without interpreting them (dotted Calient ports, "ALL").
std::vector<std::string> split_list(std::string_view aid);

}  // namespace mixnet::ocs::tl1
