#pragma once
// Small formatting helpers shared by the report renderers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace mixnet::coord::measure::detail {

inline std::string ms(std::int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }
inline std::string ms(const std::optional<std::int64_t>& ns) { return ns ? ms(*ns) : std::string(); }

// &, <, >, " and ' as entities: safe in XML text and attributes alike.
inline std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0; show them as a replacement mark.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += "?";
        else out += c;
    }
  }
  return out;
}

}  // namespace mixnet::coord::measure::detail
