#include "hwdrivers/ocs/tl1_codec.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <unordered_set>

#include "common/text.hpp"

namespace mixnet::ocs::tl1 {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Printable for error messages: control bytes shown as \xNN, cut at 60 characters.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (s.size() > 60) out += "...";
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') c = ' ';
    out += c;
  }
  out += '"';
  return out;
}

// A whole quoted line "..." (escapes undone), or nullopt when the line is not one quoted string.
std::optional<std::string> unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 2 < s.size()) {
      out += s[++i];
      continue;
    }
    if (c == '"') return std::nullopt;  // two strings on one line: not a plain quoted line
    out += c;
  }
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto lf = text.find('\n', start);
    auto line = text.substr(start, lf == std::string_view::npos ? std::string_view::npos : lf - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }
  return lines;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const auto start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool shaped(std::string_view s, char sep) {
  // "26-11-29", "2026-11-29", "06:40:12": digits in groups separated by sep.
  if (s.empty() || !is_digit(s.front()) || !is_digit(s.back())) return false;
  int groups = 1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == sep) {
      if (s[i - 1] == sep) return false;
      ++groups;
    } else if (!is_digit(s[i])) {
      return false;
    }
  }
  return groups == 3;
}

std::optional<Completion> completion_from(std::string_view word) {
  if (word == "COMPLD") return Completion::compld;
  if (word == "DENY") return Completion::deny;
  if (word == "PRTL") return Completion::prtl;
  if (word == "RTRV") return Completion::rtrv;
  if (word == "DELAY") return Completion::delay;
  return std::nullopt;
}

Error protocol_error(std::string what, std::string_view text) {
  return Error{Errc::protocol, "malformed TL1 reply: " + what + " in \"" + printable(text) + "\"", {}};
}

void append_text(std::string& to, std::string_view more) {
  more = trim_view(more);
  if (more.empty()) return;
  if (!to.empty()) to += ' ';
  to += more;
}

// What kind of message a framed text is, judged from its first two non-empty lines.
enum class Kind { response, autonomous, malformed };

struct Parsed {
  Kind kind = Kind::malformed;
  Reply reply;
  Error error;
};

Parsed parse_message(std::string_view text) {
  Parsed out;
  // The terminator is not part of the lines.
  if (!text.empty() && (text.back() == ';' || text.back() == '>')) text.remove_suffix(1);
  const auto lines = split_lines(text);
  std::size_t i = 0;
  while (i < lines.size() && trim_view(lines[i]).empty()) ++i;
  if (i == lines.size()) {
    out.error = protocol_error("no header line", text);
    return out;
  }
  // Header: "<TID> <date> <time>"; the TID may be missing or contain spaces when quoted.
  const auto header = trim_view(lines[i]);
  const auto words = split_ws(header);
  if (words.size() < 2 || !shaped(words[words.size() - 2], '-') || !shaped(words.back(), ':')) {
    out.error = protocol_error("header without a date and time", header);
    return out;
  }
  Reply& r = out.reply;
  r.date = std::string(words[words.size() - 2]);
  r.time = std::string(words.back());
  r.tid = std::string(trim_view(header.substr(0, static_cast<std::size_t>(words[words.size() - 2].data() - header.data()))));
  ++i;
  while (i < lines.size() && trim_view(lines[i]).empty()) ++i;
  if (i == lines.size()) {
    out.error = protocol_error("no code line after the header", text);
    return out;
  }
  const auto code_line = trim_view(lines[i]);
  const auto code_words = split_ws(code_line);
  if (code_line.starts_with("A ") || code_line.starts_with("A\t") || code_line.starts_with("*")) {
    out.kind = Kind::autonomous;
    return out;
  }
  if (code_words.size() < 3 || code_words[0] != "M") {
    out.error = protocol_error("code line is not \"M <ctag> <completion>\"", code_line);
    return out;
  }
  r.ctag = std::string(code_words[1]);
  const auto completion = completion_from(code_words[2]);
  if (!completion) {
    out.error = protocol_error("unknown completion code \"" + std::string(code_words[2]) + "\"", code_line);
    return out;
  }
  r.completion = *completion;
  ++i;
  bool want_code = r.completion == Completion::deny;
  for (; i < lines.size(); ++i) {
    auto line = trim_view(lines[i]);
    if (line.empty()) continue;
    if (line.starts_with("/*")) {
      auto body = line.substr(2);
      if (body.ends_with("*/")) body.remove_suffix(2);
      if (r.completion == Completion::deny) append_text(r.error_text, body);
      continue;
    }
    auto quoted = unquote(line);
    if (want_code) {
      // The error code line: "IIAC", "\"IIAC\"", "IIAC text", "\"IIAC:text\"".
      std::string_view body = quoted ? std::string_view(*quoted) : line;
      want_code = false;
      if (body.size() >= 4 && std::all_of(body.begin(), body.begin() + 4, is_upper) &&
          (body.size() == 4 || !is_upper(body[4]))) {
        r.error_code = std::string(body.substr(0, 4));
        auto rest = body.substr(4);
        while (!rest.empty() && (rest.front() == ':' || rest.front() == ',' || is_space(rest.front())))
          rest.remove_prefix(1);
        append_text(r.error_text, rest);
        continue;
      }
      // No code: the line is text.
      append_text(r.error_text, body);
      continue;
    }
    if (quoted) {
      r.lines.push_back(std::move(*quoted));
    } else if (r.completion == Completion::deny) {
      append_text(r.error_text, line);
    } else {
      r.lines.emplace_back(line);   // unquoted response data: keep it as it stands
    }
  }
  out.kind = Kind::response;
  return out;
}

Result<int> parse_port(std::string_view item, std::string_view aid, int max_port) {
  int value = 0;
  if (item.empty()) return fail(Errc::invalid_argument, "empty port in \"" + printable(aid) + "\"", "aid");
  const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
  if (ec != std::errc{} || ptr != item.data() + item.size() || !is_digit(item.front()))
    return fail(Errc::invalid_argument, "\"" + printable(item) + "\" is not a port number", "aid");
  if (value < 1 || value > max_port)
    return fail(Errc::invalid_argument,
                "port " + std::string(item) + " out of range 1.." + std::to_string(max_port), "aid");
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Commands

std::string format_command(const Command& cmd) {
  std::string out = cmd.verb;
  out += ':';
  out += cmd.tid;
  out += ':';
  out += cmd.aid;
  out += ':';
  out += cmd.ctag;
  for (const auto& block : cmd.trailing) {
    out += ':';
    out += block;
  }
  out += ';';
  return out;
}

Result<Command> parse_command(std::string_view text) {
  text = trim_view(text);
  if (text.empty() || text.back() != ';')
    return fail(Errc::protocol, "TL1 command does not end with ';': \"" + printable(text) + "\"", "command");
  text.remove_suffix(1);
  std::vector<std::string> fields(1);
  bool in_quote = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x20 && !is_space(c))
      return fail(Errc::protocol, "control character in TL1 command \"" + printable(text) + "\"", "command");
    if (in_quote) {
      if (c == '\\' && i + 1 < text.size()) {
        fields.back() += c;
        fields.back() += text[++i];
        continue;
      }
      if (c == '"') in_quote = false;
      fields.back() += c;
      continue;
    }
    if (c == '"') {
      in_quote = true;
      fields.back() += c;
    } else if (c == ':') {
      fields.emplace_back();
    } else if (c == ';') {
      return fail(Errc::protocol, "';' inside a TL1 command \"" + printable(text) + "\"", "command");
    } else {
      fields.back() += c;
    }
  }
  if (in_quote) return fail(Errc::protocol, "unterminated quote in TL1 command \"" + printable(text) + "\"", "command");
  Command cmd;
  const auto verb = trim_view(fields[0]);
  if (verb.empty()) return fail(Errc::protocol, "TL1 command without a verb", "verb");
  for (char c : verb) {
    if (!(is_upper(c) || is_digit(c) || c == '-' || (c >= 'a' && c <= 'z')))
      return fail(Errc::protocol, "bad TL1 verb \"" + printable(verb) + "\"", "verb");
  }
  cmd.verb = upper(verb);
  if (fields.size() > 1) cmd.tid = std::string(trim_view(fields[1]));
  if (fields.size() > 2) cmd.aid = std::string(trim_view(fields[2]));
  if (fields.size() > 3) cmd.ctag = std::string(trim_view(fields[3]));
  for (std::size_t i = 4; i < fields.size(); ++i) cmd.trailing.emplace_back(trim_view(fields[i]));
  return cmd;
}

void CommandFramer::feed(std::string_view bytes) { buffer_.append(bytes); }

std::optional<std::string> CommandFramer::next() {
  for (; scan_ < buffer_.size(); ++scan_) {
    const char c = buffer_[scan_];
    if (in_quote_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"' || c == '\n') in_quote_ = false;   // a quote never spans lines: a stray '"' cannot swallow the stream
      continue;
    }
    if (c == '"') {
      in_quote_ = true;
    } else if (c == ';') {
      std::string_view whole(buffer_.data(), scan_ + 1);
      std::size_t start = 0;
      while (start < whole.size() && is_space(whole[start])) ++start;
      std::string cmd(whole.substr(start));
      buffer_.erase(0, scan_ + 1);
      scan_ = 0;
      return cmd;
    }
  }
  // Keep a buffer of white space from growing: nothing but blanks between commands.
  if (!in_quote_ && std::all_of(buffer_.begin(), buffer_.end(), is_space)) {
    buffer_.clear();
    scan_ = 0;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Replies

std::string_view to_string(Completion c) {
  switch (c) {
    case Completion::compld: return "COMPLD";
    case Completion::deny: return "DENY";
    case Completion::prtl: return "PRTL";
    case Completion::rtrv: return "RTRV";
    case Completion::delay: return "DELAY";
  }
  return "COMPLD";
}

std::string format_reply(const Reply& reply) {
  std::string date = reply.date;
  std::string time = reply.time;
  if (date.empty() || time.empty()) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    // TL1 dates have a two-digit year ("26-11-29").
    char d[48];
    char t[48];
    std::snprintf(d, sizeof d, "%02d-%02d-%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
    std::snprintf(t, sizeof t, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (date.empty()) date = d;
    if (time.empty()) time = t;
  }
  std::string out = "\r\n\n   ";
  if (!reply.tid.empty()) {
    out += reply.tid;
    out += ' ';
  }
  out += date;
  out += ' ';
  out += time;
  out += "\r\nM  ";
  out += reply.ctag;
  out += ' ';
  out += to_string(reply.completion);
  out += "\r\n";
  if (reply.completion == Completion::deny) {
    out += "   ";
    out += reply.error_code.empty() ? std::string("SROF") : reply.error_code;
    out += "\r\n";
    if (!reply.error_text.empty()) {
      std::string text = reply.error_text;
      for (std::size_t p; (p = text.find("*/")) != std::string::npos;) text.replace(p, 2, "* /");
      for (char& c : text)
        if (c == '\r' || c == '\n' || c == ';') c = ' ';
      out += "   /* " + text + " */\r\n";
    }
  }
  for (const auto& line : reply.lines) {
    out += "   ";
    out += quote(line);
    out += "\r\n";
  }
  out += ';';
  return out;
}

Result<Reply> parse_reply(std::string_view text) {
  auto parsed = parse_message(text);
  if (parsed.kind == Kind::malformed) return std::unexpected(parsed.error);
  if (parsed.kind == Kind::autonomous) return fail(Errc::protocol, "an autonomous message, not a reply");
  return std::move(parsed.reply);
}

void ReplyFramer::feed(std::string_view bytes) {
  // Drop what was handed out before growing, so a long session does not keep old replies.
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    scan_ -= consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

void ReplyFramer::reset() {
  buffer_.clear();
  consumed_ = scan_ = 0;
  state_ = Scan::normal;
  line_start_ = true;
  partial_.reset();
  ready_.clear();
}

Result<std::optional<Reply>> ReplyFramer::next() {
  for (;;) {
    if (!ready_.empty()) {
      Reply r = std::move(ready_.front());
      ready_.pop_front();
      return r;
    }
    // Find the end of the next message.
    char terminator = 0;
    for (; scan_ < buffer_.size() && terminator == 0; ++scan_) {
      const char c = buffer_[scan_];
      switch (state_) {
        case Scan::quote_escape:
          state_ = Scan::quote;
          break;
        case Scan::quote:
          if (c == '\\') state_ = Scan::quote_escape;
          else if (c == '"') state_ = Scan::normal;
          else if (c == '\n') state_ = Scan::normal;  // a quote never spans lines: recover
          break;
        case Scan::comment:
          if (c == '/' && scan_ > consumed_ && buffer_[scan_ - 1] == '*') state_ = Scan::normal;
          else if (c == ';' && line_start_) terminator = c;  // an unclosed comment: the ';' line ends it
          break;
        case Scan::normal:
          if (c == '"') state_ = Scan::quote;
          else if (c == '*' && scan_ > consumed_ && buffer_[scan_ - 1] == '/') state_ = Scan::comment;
          else if (c == ';') terminator = c;
          else if ((c == '>' || c == '<') && line_start_) terminator = c;
          break;
      }
      if (c == '\n') line_start_ = true;
      else if (!is_space(c)) line_start_ = false;
    }
    if (terminator == 0) {
      if (buffered() > kMaxMessage) {
        reset();
        return fail(Errc::protocol, "TL1 reply longer than " + std::to_string(kMaxMessage) + " bytes without ';'");
      }
      return std::optional<Reply>{};
    }
    const std::string_view text(buffer_.data() + consumed_, scan_ - consumed_);
    consumed_ = scan_;
    state_ = Scan::normal;
    line_start_ = false;
    if (terminator == '<') continue;  // an acknowledgement ("IP 12 <"): the reply follows later
    if (trim_view(text.substr(0, text.size() - 1)).empty()) continue;  // a stray terminator
    auto parsed = parse_message(text);
    if (parsed.kind == Kind::autonomous) continue;
    if (parsed.kind == Kind::malformed) return std::unexpected(parsed.error);
    Reply& r = parsed.reply;
    if (partial_ && partial_->ctag == r.ctag) {
      partial_->lines.insert(partial_->lines.end(), std::make_move_iterator(r.lines.begin()),
                             std::make_move_iterator(r.lines.end()));
      partial_->completion = r.completion;
      append_text(partial_->error_text, r.error_text);
      if (partial_->error_code.empty()) partial_->error_code = r.error_code;
      if (terminator == '>') continue;
      Reply whole = std::move(*partial_);
      partial_.reset();
      return whole;
    }
    if (partial_) {
      // A different ctag: the held part will get no more; hand it out as it is.
      ready_.push_back(std::move(*partial_));
      partial_.reset();
    }
    if (terminator == '>') {
      partial_ = std::move(r);
      continue;
    }
    ready_.push_back(std::move(r));
  }
}

// ---------------------------------------------------------------------------------------------
// AID lists

std::vector<std::string> split_list(std::string_view aid) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto amp = aid.find('&', start);
    out.emplace_back(aid.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

Result<std::vector<int>> expand_port_list(std::string_view aid, int max_port) {
  if (aid.empty()) return fail(Errc::invalid_argument, "empty port list", "aid");
  std::vector<int> out;
  std::unordered_set<int> seen;
  auto add = [&](int p) {
    if (seen.insert(p).second) out.push_back(p);
  };
  if (upper(aid) == "ALL") {
    for (int p = 1; p <= max_port; ++p) out.push_back(p);
    return out;
  }
  const auto items = split_list(aid);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty())
      return fail(Errc::invalid_argument, "misplaced '&' in \"" + printable(aid) + "\"", "aid");
    auto first = parse_port(items[i], aid, max_port);
    if (!first) return std::unexpected(first.error());
    // "a&&b": the empty item between the two '&' marks a range.
    if (i + 2 < items.size() && items[i + 1].empty()) {
      auto last = parse_port(items[i + 2], aid, max_port);
      if (!last) return std::unexpected(last.error());
      if (*last < *first)
        return fail(Errc::invalid_argument, "range " + items[i] + "&&" + items[i + 2] + " runs backwards", "aid");
      for (int p = *first; p <= *last; ++p) add(p);
      i += 2;
      if (i + 1 < items.size() && items[i + 1].empty())
        return fail(Errc::invalid_argument, "a range cannot continue as a range in \"" + printable(aid) + "\"", "aid");
      continue;
    }
    add(*first);
  }
  return out;
}

std::string join_port_list(const std::vector<int>& ports) {
  std::string out;
  for (std::size_t i = 0; i < ports.size();) {
    std::size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) ++j;
    if (!out.empty()) out += '&';
    if (j - i >= 2) {
      out += std::to_string(ports[i]) + "&&" + std::to_string(ports[j]);
      i = j + 1;
    } else {
      out += std::to_string(ports[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace mixnet::ocs::tl1
