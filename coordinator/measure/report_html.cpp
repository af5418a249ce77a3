#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/measure/reports.hpp"
#include "coordinator/measure/svg_plot.hpp"

namespace mixnet::coord::measure {

using detail::Axis;
using detail::describe_rule;
using detail::fmt_px;
using detail::fmt_tick;
using detail::ms;
using detail::xml_escape;

namespace {

// Kept inline so the file stands alone; no external fonts, images or scripts. After
// detail::kReportBaseStyle.
constexpr std::string_view kMeasureStyle = R"(
.pass { color: #176317; font-weight: bold; }
.fail { color: #a01010; font-weight: bold; }
.missing { color: #999; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
figcaption { font-size: 0.85em; text-align: center; }
svg text { font-size: 10px; font-family: sans-serif; }
)";

constexpr int kCdfWidth = 360, kCdfHeight = 220;
constexpr int kLineWidth = 760, kLineHeight = 320;

std::string td(std::string_view text, std::string_view cls = {}) {
  return cls.empty() ? fmt::format("<td>{}</td>", xml_escape(text))
                     : fmt::format("<td class=\"{}\">{}</td>", cls, xml_escape(text));
}

std::string dist_cells(const std::optional<Distribution>& d) {
  if (!d) return "<td class=\"missing\">-</td><td class=\"missing\">-</td><td class=\"missing\">-</td><td class=\"missing\">-</td>";
  return td(ms(d->p50)) + td(ms(d->p90)) + td(ms(d->p99)) + td(ms(d->max));
}

// Axis frame, ticks and labels of one plot.
std::string axes(const Axis& x, const Axis& y, std::string_view x_label, std::string_view y_label, int x_ticks, int y_ticks) {
  std::string out;
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#444\"/>", fmt_px(x.px_lo), fmt_px(y.px_lo), fmt_px(x.px_hi));
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\"/>", fmt_px(x.px_lo), fmt_px(y.px_lo), fmt_px(y.px_hi));
  for (double v : x.ticks(x_ticks)) {
    const auto px = fmt_px(x.px(v));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#eee\"/>", px, fmt_px(y.px_lo), fmt_px(y.px_hi));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px, fmt_px(y.px_lo + 13), fmt_tick(v));
  }
  for (double v : y.ticks(y_ticks)) {
    const auto py = fmt_px(y.px(v));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eee\"/>", fmt_px(x.px_lo), py, fmt_px(x.px_hi));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", fmt_px(x.px_lo - 4), fmt_px(y.px(v) + 3), fmt_tick(v));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", fmt_px((x.px_lo + x.px_hi) / 2),
                     fmt_px(y.px_lo + 27), xml_escape(x_label));
  out += fmt::format("<text x=\"12\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {0})\">{1}</text>",
                     fmt_px((y.px_lo + y.px_hi) / 2), xml_escape(y_label));
  return out;
}

// The empirical CDF of one segment over every ok row: a step up of 1/n at each value.
std::string cdf_svg(std::string_view segment, std::vector<std::int64_t> values) {
  std::string out = fmt::format(
      "<svg class=\"cdf\" data-segment=\"{0}\" width=\"{1}\" height=\"{2}\" viewBox=\"0 0 {1} {2}\" role=\"img\">"
      "<title>CDF of {0}</title>",
      xml_escape(segment), kCdfWidth, kCdfHeight);
  if (values.empty()) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data: every row is missing this segment</text></svg>",
                       kCdfWidth / 2, kCdfHeight / 2);
    return out;
  }
  std::sort(values.begin(), values.end());
  double lo = static_cast<double>(values.front()) / 1e6, hi = static_cast<double>(values.back()) / 1e6;
  detail::nice_range(lo, hi, 4);
  const Axis x{lo, hi, 50, kCdfWidth - 12.0};
  const Axis y{0, 1, kCdfHeight - 38.0, 10};
  out += axes(x, y, "ms", "fraction of rows", 4, 4);
  const double n = static_cast<double>(values.size());
  std::string path = fmt::format("M{} {}", fmt_px(x.px(static_cast<double>(values.front()) / 1e6)), fmt_px(y.px(0)));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = static_cast<double>(values[i]) / 1e6;
    path += fmt::format(" H{} V{}", fmt_px(x.px(v)), fmt_px(y.px(static_cast<double>(i + 1) / n)));
  }
  out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\"/>", path);
  const auto d = summarize(values);
  for (const auto& [label, v] : {std::pair{"p50", d->p50}, std::pair{"p99", d->p99}}) {
    const auto px = fmt_px(x.px(static_cast<double>(v) / 1e6));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#c05000\" stroke-dasharray=\"3 3\"/>", px,
                       fmt_px(y.px(0)), fmt_px(y.px(1)));
    // Labels near the right edge run leftwards so they stay inside the figure.
    const double lx = x.px(static_cast<double>(v) / 1e6);
    const bool right = lx > kCdfWidth * 0.6;
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"#c05000\">{} {}</text>", fmt_px(right ? lx - 3 : lx + 3),
                       fmt_px(y.px(1) + (label[1] == '5' ? 10 : 22)), right ? "end" : "start", label, ms(v));
  }
  return out + "</svg>";
}

// Gb/s per bin across one reconfiguration, time in ms from the command (or the first bin), with
// the moments as vertical markers and the full-rate threshold as a dashed line.
std::string timeline_svg(const TimelineExcerpt& t) {
  std::string out = fmt::format(
      "<svg class=\"timeline\" data-port=\"{0}\" data-repetition=\"{1}\" width=\"{2}\" height=\"{3}\" viewBox=\"0 0 {2} {3}\" "
      "role=\"img\"><title>Throughput of {0}, repetition {1}</title>",
      xml_escape(t.port), t.repetition, kLineWidth, kLineHeight);
  std::int64_t origin = t.start_ns;
  for (const auto& [name, ns] : t.markers)
    if (name == "cmd_sent") origin = ns;
  const auto rel = [&](std::int64_t ns) { return static_cast<double>(ns - origin) / 1e6; };
  double x_lo = rel(t.start_ns), x_hi = rel(t.start_ns + static_cast<std::int64_t>(t.gbps.size()) * t.bin_ns);
  for (const auto& [name, ns] : t.markers) {
    x_lo = std::min(x_lo, rel(ns));
    x_hi = std::max(x_hi, rel(ns));
  }
  double y_hi = 0;
  for (double g : t.gbps) y_hi = std::max(y_hi, g);
  if (t.reference_gbps) y_hi = std::max(y_hi, *t.reference_gbps);
  y_hi = y_hi > 0 ? y_hi * 1.1 : 1;
  double y_lo = 0;
  detail::nice_range(x_lo, x_hi, 8);
  detail::nice_range(y_lo, y_hi, 5);
  const Axis x{x_lo, x_hi, 55, kLineWidth - 15.0};
  const Axis y{0, y_hi, kLineHeight - 40.0, 12.0 + 11.0 * static_cast<double>(t.markers.size())};
  out += axes(x, y, "ms from the command", "Gb/s", 8, 5);
  if (!t.gbps.empty()) {
    std::string path = fmt::format("M{} {}", fmt_px(x.px(rel(t.start_ns))), fmt_px(y.px(t.gbps[0])));
    for (std::size_t i = 0; i < t.gbps.size(); ++i) {
      const auto end = t.start_ns + static_cast<std::int64_t>(i + 1) * t.bin_ns;
      path += fmt::format(" V{} H{}", fmt_px(y.px(t.gbps[i])), fmt_px(x.px(rel(end))));
    }
    out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1\"/>", path);
  }
  if (t.threshold_gbps) {
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#2a8a2a\" stroke-dasharray=\"5 3\"/>",
                       fmt_px(x.px_lo), fmt_px(y.px(*t.threshold_gbps)), fmt_px(x.px_hi));
  }
  // One label row per marker, in time order, above the plot: close markers never overprint.
  auto markers = t.markers;
  std::stable_sort(markers.begin(), markers.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  int k = 0;
  for (const auto& [name, ns] : markers) {
    const double mx = x.px(rel(ns));
    const double ly = 10 + 11 * k++;
    const bool right = mx > kLineWidth * 0.6;
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#a01010\" stroke-width=\"1\"/>", fmt_px(mx),
                       fmt_px(y.px_lo), fmt_px(ly - 8));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"#a01010\">{} {:.3f} ms</text>", fmt_px(right ? mx - 3 : mx + 3),
                       fmt_px(ly), right ? "end" : "start", xml_escape(name), rel(ns));
  }
  return out + "</svg>";
}

std::string summary_table(const std::vector<SegmentSummary>& summaries) {
  std::string out =
      "<table class=\"summary\"><tr><th class=\"name\">segment</th><th>ok</th><th>missing</th><th>inconsistent</th>"
      "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>largest +- ms</th></tr>";
  for (const auto& s : summaries) {
    out += "<tr>" + td(s.segment, "name") + td(std::to_string(s.ok)) + td(std::to_string(s.missing)) +
           td(std::to_string(s.inconsistent)) + dist_cells(s.distribution) + td(ms(s.max_uncertainty_ns)) + "</tr>";
  }
  return out + "</table>";
}

std::string truth_section(const TruthCheck& t) {
  std::string out = fmt::format("<h2>Ground truth</h2><p class=\"{}\">{}: {}</p>", t.pass ? "pass" : "fail", t.pass ? "PASS" : "FAIL",
                                xml_escape(t.message));
  out += fmt::format("<p>Checked against the emulator's ground truth: {}. Not checked (the emulator has no truth for them): {}.</p>",
                     xml_escape(moments_with_truth()), xml_escape(moments_without_truth()));
  out +=
      "<table class=\"truth\"><tr><th class=\"name\">segment</th><th>rows</th><th>pairs</th><th>missing</th><th>inconsistent</th>"
      "<th>p50 |error| ms</th><th>p99 |error| ms</th><th>max |error| ms</th><th>bound ms</th><th>verdict</th></tr>";
  for (const auto& s : t.segments) {
    const auto& d = s.abs_error;
    out += "<tr>" + td(s.segment, "name") + td(std::to_string(s.rows)) + td(std::to_string(s.pairs)) + td(std::to_string(s.missing)) +
           td(std::to_string(s.inconsistent)) + td(d ? ms(d->p50) : "-") + td(d ? ms(d->p99) : "-") + td(d ? ms(d->max) : "-") +
           td(ms(t.bound_ns)) + td(s.pass ? "ok" : "FAIL", s.pass ? "pass" : "fail") + "</tr>";
  }
  return out + "</table>";
}

std::string per_port_table(const Measurement& m) {
  std::string out = "<table class=\"ports\"><tr><th class=\"name\">port</th>";
  for (const auto& s : kSegments) out += fmt::format("<th>{}<br/>p50 / p99 ms</th>", s.name);
  out += "</tr>";
  for (const auto& [port, summaries] : summarize_by_port(m.rows)) {
    out += "<tr>" + td(port, "name");
    for (const auto& s : summaries) {
      if (!s.distribution) {
        out += td(fmt::format("missing ({})", s.missing + s.inconsistent), "missing");
        continue;
      }
      auto text = fmt::format("{} / {}", ms(s.distribution->p50), ms(s.distribution->p99));
      if (s.missing + s.inconsistent > 0) text += fmt::format(" ({} missing)", s.missing + s.inconsistent);
      out += td(text);
    }
    out += "</tr>";
  }
  return out + "</table>";
}

std::string clocks_table(const Measurement& m) {
  if (m.clocks.empty()) return "<p>No agent clocks were aligned.</p>";
  std::string out =
      "<table class=\"clocks\"><tr><th class=\"name\">clock</th><th>offset ms</th><th>+- ms</th><th>best round trip ms</th>"
      "<th>samples</th><th>consistent</th></tr>";
  for (const auto& c : m.clocks) {
    out += "<tr>" + td(c.clock, "name") + td(ms(c.offset_ns)) + td(ms(c.uncertainty_ns)) + td(ms(c.best_rtt_ns)) +
           td(std::to_string(c.samples)) + td(c.consistent ? "yes" : "NO: the clock stepped while sampling", c.consistent ? "" : "fail") +
           "</tr>";
  }
  return out + "</table>";
}

std::string rows_table(const Measurement& m) {
  std::string out = "<table class=\"rows\"><tr><th>rep</th><th class=\"name\">port</th><th class=\"name\">to</th>";
  for (const auto& s : kSegments) out += fmt::format("<th>{} ms</th>", s.name);
  out += "<th>flaps</th><th>switch session</th></tr>";
  for (const auto& r : m.rows) {
    const auto& b = r.measured;
    out += "<tr>" + td(std::to_string(b.repetition)) + td(b.port, "name") + td(b.to_topology, "name");
    for (const auto& s : b.segments) {
      if (s.status == SegmentStatus::missing) out += fmt::format("<td class=\"missing\" title=\"{}\">missing</td>", xml_escape(s.reason));
      else if (s.status == SegmentStatus::inconsistent)
        out += fmt::format("<td class=\"fail\" title=\"{}\">{}</td>", xml_escape(s.reason), ms(s.ns));
      else out += fmt::format("<td title=\"+-{} ms\">{}</td>", ms(s.uncertainty_ns), ms(s.ns));
    }
    out += td(std::to_string(b.flaps));
    // A recovered change: switch_ack may be the read-back, not the completion reply.
    if (b.switch_recovery.count > 0)
      out += fmt::format("<td class=\"fail\" title=\"{}{}\">recovered ({})</td>", xml_escape(b.switch_recovery.cause),
                         b.switch_recovery.ack_is_read_back ? "; switch_ack is a read-back, not the reply" : "",
                         b.switch_recovery.count);
    else out += td("ok");
    out += "</tr>";
  }
  return out + "</table>";
}

}  // namespace

std::string render_html(const Measurement& m) {
  const auto rows = measured_rows(m.rows);
  std::set<int> repetitions;
  std::set<std::string> ports;
  for (const auto& r : rows) {
    repetitions.insert(r.repetition);
    ports.insert(r.port);
  }
  const auto title = m.title.empty() ? std::string("Reconfiguration latency") : m.title;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>";
  out += fmt::format("<title>{}</title><style>{}{}</style></head><body>", xml_escape(title), detail::kReportBaseStyle, kMeasureStyle);
  out += fmt::format("<h1>{}</h1>", xml_escape(title));
  out += fmt::format(
      "<p>{} repetitions x {} ports{}. Percentiles: nearest rank over the rows whose segment is ok. "
      "Full rate: {}.</p>",
      repetitions.size(), ports.size(), m.run_id.empty() ? "" : fmt::format(", run {}", xml_escape(m.run_id)),
      xml_escape(describe_rule(m.rule)));
  out += "<h2>Summary</h2>" + summary_table(summarize_segments(rows));
  if (m.truth_check) out += truth_section(*m.truth_check);
  out += "<h2>Distribution of each segment (CDF)</h2><div class=\"figures\">";
  for (std::size_t i = 0; i < kSegmentCount; ++i) {
    std::vector<std::int64_t> values;
    for (const auto& r : rows)
      if (r.segments[i].status == SegmentStatus::ok) values.push_back(r.segments[i].ns);
    out += fmt::format("<figure>{}<figcaption>{} ({} rows)</figcaption></figure>", cdf_svg(kSegments[i].name, values),
                       kSegments[i].name, values.size());
  }
  out += "</div><h2>Throughput across a reconfiguration</h2>";
  if (m.timelines.empty()) out += "<p>No traffic timeline was recorded.</p>";
  for (const auto& t : m.timelines) {
    out += fmt::format("<figure>{}<figcaption>{}, repetition {}: Gb/s per {} ms bin; red: the moments; dashed green: the "
                       "full-rate threshold{}</figcaption></figure>",
                       timeline_svg(t), xml_escape(t.port), t.repetition, ms(t.bin_ns),
                       t.threshold_gbps ? fmt::format(" ({:.3f} Gb/s)", *t.threshold_gbps) : std::string(" (none)"));
  }
  out += "<h2>Per port</h2>" + per_port_table(m);
  out += "<h2>Clock alignment</h2>" + clocks_table(m);
  out += "<h2>Every repetition</h2>" + rows_table(m);
  out += "</body></html>\n";
  return out;
}

}  // namespace mixnet::coord::measure
