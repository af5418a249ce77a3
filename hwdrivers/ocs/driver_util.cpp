#include "hwdrivers/ocs/driver_util.hpp"

#include <charconv>
#include <cstdlib>

namespace mixnet::ocs {

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

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

}  // namespace mixnet::ocs
