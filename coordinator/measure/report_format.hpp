#pragma once
// Small formatting helpers shared by the report renderers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "coordinator/measure/full_rate.hpp"

namespace mixnet::coord::measure::detail {

inline std::string ms(std::int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }
inline std::string ms(const std::optional<std::int64_t>& ns) { return ns ? ms(*ns) : std::string(); }

// The full-rate rule in words: "90% of the settled rate (mean over the timeline's last 500.000 ms)
// held for 50.000 ms, the rate smoothed over 10.000 ms".
inline std::string describe_rule(const FullRateRule& r) {
  std::string reference;
  switch (r.reference) {
    case Reference::line: reference = fmt::format("line rate ({:.3f} Gb/s)", r.line_rate_gbps); break;
    case Reference::baseline:
      reference = fmt::format("baseline rate (median over the {} ms before the command)", ms(r.baseline_window_ns));
      break;
    case Reference::settled:
      reference = fmt::format("settled rate (mean over the timeline's last {} ms)", ms(r.baseline_window_ns));
      break;
  }
  return fmt::format("{:.0f}% of the {} held for {} ms, {}", r.threshold_fraction * 100, reference, ms(r.hold_ns),
                     r.window_ns > 0 ? fmt::format("the rate smoothed over {} ms", ms(r.window_ns))
                                     : std::string("each bin judged alone"));
}

// The look every report page shares (text, tables); each page's <style> adds its own rules after it.
inline constexpr std::string_view kReportBaseStyle = R"(
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
th { background: #f0f0f0; }
td.name, th.name { text-align: left; }
)";

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. Shared with the
// replay reports (coordinator/replay), so CSV quoting exists once.
inline std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

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
