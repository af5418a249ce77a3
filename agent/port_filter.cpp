#include "agent/port_filter.hpp"

#include <fnmatch.h>

#include "common/text.hpp"

namespace mixnet::agent {

bool PortFilter::manages(std::string_view name) const {
  if (name.empty()) return false;
  const std::string n(name);
  for (const auto& p : patterns_) {
    if (fnmatch(p.c_str(), n.c_str(), 0) == 0) return true;
  }
  return false;
}

Result<std::vector<std::string>> parse_port_list(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string_view item =
        trim_view(list.substr(start, comma == std::string_view::npos ? list.npos : comma - start), " \t");
    if (item.empty()) return fail(Errc::invalid_argument, "empty entry in the port list", "ports");
    if (item.size() > kMaxPortPattern) {
      return fail(Errc::invalid_argument, "pattern '" + std::string(item) + "' is longer than " +
                                              std::to_string(kMaxPortPattern) + " bytes", "ports");
    }
    int depth = 0;
    for (const char c : item) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '/') {
        return fail(Errc::invalid_argument, "pattern '" + std::string(item) + "' contains whitespace, '/' or a control byte",
                    "ports");
      }
      if (c == '[') ++depth;
      if (c == ']' && depth > 0) --depth;
    }
    if (depth != 0) return fail(Errc::invalid_argument, "pattern '" + std::string(item) + "' has an unclosed '['", "ports");
    out.emplace_back(item);
    if (out.size() > kMaxPortPatterns) {
      return fail(Errc::invalid_argument, "more than " + std::to_string(kMaxPortPatterns) + " patterns", "ports");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace mixnet::agent
