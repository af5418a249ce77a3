#include "hwdrivers/ocs/driver_util.hpp"

#include <charconv>
#include <cstdlib>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/text.hpp"

namespace mixnet::ocs {

// A TL1 value: blanks and the quotes TL1 puts around strings go.
std::string_view trim_view(std::string_view s) { return mixnet::trim_view(s, " \t\""); }

Result<int> parse_int(std::string_view text, std::string_view what) {
  text = trim_view(text);
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return fail(Errc::protocol, std::string(what) + ": \"" + std::string(text) + "\" is not a whole number");
  return v;
}

Result<double> parse_double(std::string_view text, std::string_view what) {
  text = trim_view(text);
  // from_chars for double is in g++ 12's libstdc++; strtod would depend on the locale.
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return fail(Errc::protocol, std::string(what) + ": \"" + std::string(text) + "\" is not a number");
  return v;
}

Result<int> port_number(const PortId& port) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || v < 1)
    return fail(Errc::invalid_argument, "port \"" + port + "\" is not a port number (1, 2, ...)", "port");
  return v;
}

void parse_netype_line(std::string_view line, SwitchInfo& info) {
  std::vector<std::string> f;
  std::string_view rest = line;
  for (;;) {
    const auto c = rest.find(',');
    f.emplace_back(trim_view(rest.substr(0, c)));
    if (c == std::string_view::npos) break;
    rest = rest.substr(c + 1);
  }
  if (f.size() > 0) info.vendor = f[0];
  if (f.size() > 1) info.model = f[1];
  if (f.size() > 3) info.software_version = f[3];
  else if (f.size() > 2) info.software_version = f[2];
}

Tl1SessionOptions tl1_session_options(const SwitchUri& uri, std::string name) {
  Tl1SessionOptions o;
  o.host = uri.host;
  o.port = uri.port;
  o.user = uri.user;
  o.password = uri.password;
  o.connect_timeout = uri.connect_timeout;
  o.command_timeout = uri.timeout;
  o.keepalive = uri.keepalive;
  o.keepalive_command = tl1::Command{.verb = "RTRV-NETYPE", .trailing = {""}};
  o.name = std::move(name);
  return o;
}

Result<Tl1Result> query_with_resend(Tl1Session& session, const tl1::Command& cmd, Timing* timing) {
  auto r = session.execute(cmd);
  if (!r && is_transport_error(r.error())) {
    spdlog::warn("{} {}: {}; reconnecting and asking again", session.options().name, session.options().host,
                 r.error().describe());
    note_resend(timing, session.unanswered_sent_ns(), r.error());
    r = session.execute(cmd);
  }
  return r;
}

}  // namespace mixnet::ocs
