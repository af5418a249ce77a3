#include "hwdrivers/ocs/switch_uri.hpp"

#include "common/token_file.hpp"

#include <charconv>
#include <fstream>

namespace mixnet::ocs {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view s, const char* field) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
      return fail(Errc::invalid_argument, std::string("bad percent escape in ") + field, field);
    out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
    i += 2;
  }
  return out;
}

template <class Int>
Result<Int> parse_number(std::string_view text, std::string_view field, Int min, Int max) {
  Int value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max)
    return fail(Errc::invalid_argument,
                std::string(field) + " must be a number " + std::to_string(min) + ".." + std::to_string(max) +
                    ", not \"" + std::string(text) + "\"",
                std::string(field));
  return value;
}

Result<std::string> read_password_file(const std::string& path) {
  // Before it is read: a password others could read is not used at all.
  if (auto st = stat_private_file(path, "password file", "password-file"); !st) return std::unexpected(st.error());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::invalid_argument, "cannot read password file " + path, "password-file");
  std::string line;
  char c;
  while (in.get(c) && c != '\n') {
    line += c;
    if (line.size() > 4096) return fail(Errc::invalid_argument, "password file " + path + " has a line over 4 KiB", "password-file");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return fail(Errc::invalid_argument, "password file " + path + " is empty", "password-file");
  return line;
}

}  // namespace

std::string_view to_string(SwitchProtocol p) {
  switch (p) {
    case SwitchProtocol::polatis_tl1: return "polatis-tl1";
    case SwitchProtocol::polatis_rest: return "polatis-rest";
    case SwitchProtocol::calient_tl1: return "calient-tl1";
  }
  return "polatis-tl1";
}

unsigned short default_port(SwitchProtocol p) {
  switch (p) {
    case SwitchProtocol::polatis_tl1: return 3082;
    case SwitchProtocol::polatis_rest: return 8008;
    case SwitchProtocol::calient_tl1: return 3083;
  }
  return 3082;
}

std::string SwitchUri::describe() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(to_string(protocol)) + "://" + user + "@" + host_part + ":" + std::to_string(port);
}

Result<SwitchUri> parse_switch_uri(std::string_view uri) {
  SwitchUri out;
  const auto sep = uri.find("://");
  if (sep == std::string_view::npos)
    return fail(Errc::invalid_argument, "switch URI \"" + std::string(uri) + "\" has no scheme (polatis-tl1://, polatis-rest://, calient-tl1://)", "scheme");
  const auto scheme = uri.substr(0, sep);
  if (scheme == "polatis-tl1") out.protocol = SwitchProtocol::polatis_tl1;
  else if (scheme == "polatis-rest") out.protocol = SwitchProtocol::polatis_rest;
  else if (scheme == "calient-tl1") out.protocol = SwitchProtocol::calient_tl1;
  else
    return fail(Errc::invalid_argument, "unknown switch URI scheme \"" + std::string(scheme) + "\" (polatis-tl1, polatis-rest, calient-tl1)", "scheme");
  out.port = default_port(out.protocol);

  auto rest = uri.substr(sep + 3);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos)
    return fail(Errc::invalid_argument, "switch URI takes no path: \"" + std::string(rest) + "\"", "host");

  bool password_in_uri = false;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto user = userinfo;
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      auto pw = percent_decode(userinfo.substr(colon + 1), "password");
      if (!pw) return std::unexpected(pw.error());
      if (pw->empty()) return fail(Errc::invalid_argument, "empty password after ':'", "password");
      out.password = *pw;
      password_in_uri = true;
    }
    auto u = percent_decode(user, "user");
    if (!u) return std::unexpected(u.error());
    if (u->empty()) return fail(Errc::invalid_argument, "empty user before '@'", "user");
    out.user = *u;
  }

  // Host: a name, an IPv4 address or a bracketed IPv6 address; then an optional ":port".
  std::string_view port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return fail(Errc::invalid_argument, "unclosed '[' in host", "host");
    out.host = std::string(rest.substr(1, close - 1));
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(Errc::invalid_argument, "junk after ']' in host", "host");
      port_text = after.substr(1);
      if (port_text.empty()) return fail(Errc::invalid_argument, "empty port after ':'", "port");
    }
  } else {
    const auto colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return fail(Errc::invalid_argument, "empty port after ':'", "port");
    }
  }
  if (out.host.empty()) return fail(Errc::invalid_argument, "switch URI has no host", "host");
  for (char c : out.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '_' || c == '%';
    if (!ok) return fail(Errc::invalid_argument, "bad character in host \"" + out.host + "\"", "host");
  }
  if (!port_text.empty()) {
    auto port = parse_number<unsigned>(port_text, "port", 1, 65535);
    if (!port) return std::unexpected(port.error());
    out.port = static_cast<unsigned short>(*port);
  }

  std::string password_file;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string key(item.substr(0, eq));
    if (eq == std::string_view::npos)
      return fail(Errc::invalid_argument, "query option \"" + key + "\" needs a value", key);
    auto value = percent_decode(item.substr(eq + 1), "query");
    if (!value) return std::unexpected(value.error());
    if (key == "password-file") {
      if (value->empty()) return fail(Errc::invalid_argument, "empty password-file", key);
      password_file = *value;
    } else if (key == "timeout-ms") {
      auto v = parse_number<long>(*value, key, 1, 3'600'000);
      if (!v) return std::unexpected(v.error());
      out.timeout = std::chrono::milliseconds(*v);
    } else if (key == "connect-timeout-ms") {
      auto v = parse_number<long>(*value, key, 1, 3'600'000);
      if (!v) return std::unexpected(v.error());
      out.connect_timeout = std::chrono::milliseconds(*v);
    } else if (key == "keepalive-s") {
      auto v = parse_number<long>(*value, key, 0, 86'400);
      if (!v) return std::unexpected(v.error());
      out.keepalive = std::chrono::seconds(*v);
    } else if (key == "ca-file") {
      if (value->empty()) return fail(Errc::invalid_argument, "empty ca-file", key);
      out.ca_file = *value;
    } else if (key == "group") {
      if (value->empty() || value->find_first_of(",:;&\"' ") != std::string::npos)
        return fail(Errc::invalid_argument, "group must be a plain name, not \"" + *value + "\"", key);
      out.group = *value;
    } else {
      return fail(Errc::invalid_argument,
                  "unknown query option \"" + key +
                      "\" (password-file, timeout-ms, connect-timeout-ms, keepalive-s, group, ca-file)",
                  key);
    }
  }
  if (!out.ca_file.empty() && out.protocol != SwitchProtocol::polatis_rest) {
    return fail(Errc::invalid_argument, "ca-file is for polatis-rest:// (HTTPS); TL1 has no TLS here", "ca-file");
  }
  if (!password_file.empty()) {
    if (password_in_uri)
      return fail(Errc::invalid_argument, "give the password in the URI or in password-file, not both", "password-file");
    auto pw = read_password_file(password_file);
    if (!pw) return std::unexpected(pw.error());
    out.password = *pw;
  }
  return out;
}

}  // namespace mixnet::ocs
