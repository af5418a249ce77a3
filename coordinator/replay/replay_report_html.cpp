// The replay's HTML page: the setup and why the demand was scaled, the totals and speedups, three
// SVG figures (replay_charts) and a table of every layer. Self-contained: inline style, no script.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/replay/replay_charts.hpp"
#include "coordinator/replay/replay_report.hpp"
#include "coordinator/replay/replay_report_format.hpp"

namespace mixnet::coord::replay {

using measure::detail::xml_escape;

namespace {

// After the reports' shared look (measure::detail::kReportBaseStyle).
constexpr std::string_view kReplayStyle = R"(
.fail { color: #a01010; font-weight: bold; }
.scale { background: #f6f6e8; padding: 0.5em; }
figure { margin: 0 0 1.5em; }
figcaption { font-size: 0.85em; }
svg text { font-size: 10px; font-family: sans-serif; }
)";

constexpr double kPale = 0.45;   // the lower part of a stacked bar: the same colour, paler

std::string mode_color(ReplayMode mode) {
  switch (mode) {
    case ReplayMode::reconfigured: return "#1f5fa8";
    case ReplayMode::fixed: return "#c05000";
    case ReplayMode::electrical: return "#2a8a2a";
  }
  return "#666";
}

std::string html_cell(std::string_view text, std::string_view cls = {}) {
  return cls.empty() ? fmt::format("<td>{}</td>", xml_escape(text)) : fmt::format("<td class=\"{}\">{}</td>", cls, xml_escape(text));
}

std::string seconds_cell(double s) { return html_cell(fmt::format("{:.3f}", s)); }

// The layers any mode ran, in order, each once.
std::vector<std::size_t> layer_indices(const ReplayResult& r) {
  std::set<std::size_t> seen;
  for (const auto& l : r.layers) seen.insert(l.layer);
  return {seen.begin(), seen.end()};
}

const LayerOutcome* find_outcome(const ReplayResult& r, ReplayMode mode, std::size_t layer) {
  for (const auto& l : r.layers)
    if (l.mode == mode && l.layer == layer) return &l;
  return nullptr;
}

// The byte unit that keeps the largest value between 1 and 1000.
std::pair<double, std::string_view> byte_unit(double largest) {
  if (largest >= 1e9) return {1e9, "GB"};
  if (largest >= 1e6) return {1e6, "MB"};
  if (largest >= 1e3) return {1e3, "kB"};
  return {1, "B"};
}

std::vector<detail::LegendEntry> mode_legend(const std::vector<ReplayMode>& modes) {
  std::vector<detail::LegendEntry> legend;
  for (const ReplayMode m : modes) legend.push_back({std::string(mode_name(m)), mode_color(m)});
  return legend;
}

std::string failure_note(const LayerOutcome& l) {
  if (l.ok) return {};
  return fmt::format("; FAILED ({} of {} flows failed){}", l.failed_flows, l.flows, l.message.empty() ? "" : ": " + l.message);
}

// (a) Per layer, a bar per mode: reconfiguring (pale, below) then completion.
std::string layer_times_figure(const ReplayResult& r) {
  detail::BarChart chart{"layer-times", "Time per layer and mode", "layer", "time (s)", {}, mode_legend(r.setup.modes)};
  chart.legend.push_back({"reconfiguring (pale part)", "#666", kPale});
  for (const std::size_t layer : layer_indices(r)) {
    detail::BarGroup group{std::to_string(layer), {}};
    for (const ReplayMode m : r.setup.modes) {
      const auto* l = find_outcome(r, m, layer);
      if (l == nullptr) continue;
      group.bars.push_back({std::string(mode_name(m)),
                            {{"reconfiguring", l->reconfig_s, mode_color(m), kPale}, {"completion", l->completion_s, mode_color(m), 1}},
                            !l->ok,
                            fmt::format("{}, layer {}: reconfiguring {} + completion {} = {}{}", mode_name(m), layer,
                                        detail::seconds_text(l->reconfig_s), detail::seconds_text(l->completion_s),
                                        detail::seconds_text(l->total_s()), failure_note(*l))});
    }
    chart.groups.push_back(std::move(group));
  }
  return detail::bar_chart_svg(chart);
}

// (b) Per mode, the time spent since the first layer, after each layer.
std::string cumulative_figure(const ReplayResult& r) {
  detail::LineChart chart{"cumulative-time", "Cumulative time over the layers", "layers replayed", "cumulative time (s)", {},
                          mode_legend(r.setup.modes)};
  for (const ReplayMode m : r.setup.modes) {
    detail::LineSeries s{std::string(mode_name(m)), mode_color(m), {{0, 0}}, {false}, {fmt::format("{}: start", mode_name(m))}};
    double sum = 0;
    for (const auto& l : r.layers) {
      if (l.mode != m) continue;
      sum += l.total_s();
      s.points.emplace_back(static_cast<double>(s.points.size()), sum);
      s.failed.push_back(!l.ok);
      s.tooltips.push_back(fmt::format("{}, after layer {}: {}{}", mode_name(m), l.layer, detail::seconds_text(sum), failure_note(l)));
    }
    chart.series.push_back(std::move(s));
  }
  return detail::line_chart_svg(chart);
}

// (c) Per layer, the bytes planned over circuits (full colour) and the electrical switch (pale),
// for the two modes that have circuits.
std::string planned_bytes_figure(const ReplayResult& r) {
  std::vector<ReplayMode> modes;
  for (const ReplayMode m : r.setup.modes)
    if (m != ReplayMode::electrical) modes.push_back(m);
  double largest = 0;
  for (const auto& l : r.layers) largest = std::max(largest, l.circuit_bytes + l.eps_bytes);
  const auto [divisor, unit] = byte_unit(largest);
  detail::BarChart chart{"planned-bytes", "Bytes planned over circuits and the electrical switch", "layer",
                         fmt::format("planned bytes ({})", unit), {}, mode_legend(modes)};
  chart.legend.push_back({"electrical switch (pale part)", "#666", kPale});
  for (const std::size_t layer : layer_indices(r)) {
    detail::BarGroup group{std::to_string(layer), {}};
    for (const ReplayMode m : modes) {
      const auto* l = find_outcome(r, m, layer);
      if (l == nullptr) continue;
      group.bars.push_back({std::string(mode_name(m)),
                            {{"circuit", l->circuit_bytes / divisor, mode_color(m), 1}, {"eps", l->eps_bytes / divisor, mode_color(m), kPale}},
                            !l->ok,
                            fmt::format("{}, layer {}: circuits {:.3f} {}, electrical {:.3f} {}{}", mode_name(m), layer,
                                        l->circuit_bytes / divisor, unit, l->eps_bytes / divisor, unit, failure_note(*l))});
    }
    chart.groups.push_back(std::move(group));
  }
  return detail::bar_chart_svg(chart);
}

std::string setup_section(const ReplaySetup& s) {
  std::vector<std::string> modes;
  for (const ReplayMode m : s.modes) modes.emplace_back(mode_name(m));
  std::string out = "<table class=\"setup\">";
  const auto row = [&](std::string_view name, std::string_view value) {
    out += fmt::format("<tr><th class=\"name\">{}</th>{}</tr>", name, html_cell(value, "name"));
  };
  row("trace", s.trace);
  row("description", s.description);
  row("layers", std::to_string(s.layers));
  row("experts", std::to_string(s.experts));
  row("hosts", fmt::format("{}: {}", s.hosts.size(), fmt::join(s.hosts, ", ")));
  row("line rate", detail::line_rate_text(s));
  row("scale", fmt::format("{:g}", s.scale));
  row("static topology", s.static_topology.empty() ? "-" : s.static_topology);
  row("modes", fmt::format("{}", fmt::join(modes, ", ")));
  out += "</table>";
  auto sentence = replay_scale_sentence(s);
  sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  out += fmt::format("<p class=\"scale\">{}. Every data port was shaped to {}.</p>", xml_escape(sentence), xml_escape(detail::line_rate_text(s)));
  return out;
}

std::string totals_section(const ReplayResult& r) {
  const auto totals = mode_totals(r);
  std::string out =
      "<table class=\"totals\"><tr><th class=\"name\">mode</th><th>layers</th><th>completion s</th><th>reconfiguring s</th>"
      "<th>total s</th><th>failed layers</th></tr>";
  for (const auto& t : totals) {
    out += fmt::format("<tr data-mode=\"{}\">", mode_name(t.mode)) + html_cell(mode_name(t.mode), "name") +
           html_cell(std::to_string(t.layers)) + seconds_cell(t.completion_s) + seconds_cell(t.reconfig_s) + seconds_cell(t.total_s()) +
           html_cell(std::to_string(t.failed_layers), t.failed_layers > 0 ? "fail" : "") + "</tr>";
  }
  out += "</table>";
  out += fmt::format(
      "<p class=\"speedups\">Speedup of reconfiguring (the other mode's total time over the reconfigured mode's): "
      "over static <strong>{}</strong>, over electrical <strong>{}</strong>.</p>",
      detail::speedup_text(totals, ReplayMode::fixed), detail::speedup_text(totals, ReplayMode::electrical));
  return out;
}

std::string layers_section(const ReplayResult& r) {
  std::string out =
      "<table class=\"layers\"><tr><th>layer</th><th class=\"name\">mode</th><th class=\"name\">topology</th><th>circuits</th>"
      "<th>changes</th><th>network bytes</th><th>circuit bytes</th><th>electrical bytes</th><th>reconfiguring s</th><th>completion s</th>"
      "<th>total s</th><th>estimate s</th><th>flows</th><th>failed flows</th><th class=\"name\">status</th></tr>";
  for (const std::size_t layer : layer_indices(r)) {
    for (const ReplayMode m : r.setup.modes) {
      const auto* l = find_outcome(r, m, layer);
      if (l == nullptr) continue;
      out += fmt::format("<tr data-mode=\"{}\" data-layer=\"{}\">", mode_name(m), layer) + html_cell(std::to_string(layer)) +
             html_cell(mode_name(m), "name") + html_cell(l->topology.empty() ? "-" : l->topology, "name") +
             html_cell(std::to_string(l->circuits)) + html_cell(std::to_string(l->changes)) +
             html_cell(fmt::format("{:.0f}", l->network_bytes)) + html_cell(fmt::format("{:.0f}", l->circuit_bytes)) +
             html_cell(fmt::format("{:.0f}", l->eps_bytes)) + seconds_cell(l->reconfig_s) + seconds_cell(l->completion_s) +
             seconds_cell(l->total_s()) + seconds_cell(l->estimate_s) + html_cell(std::to_string(l->flows)) +
             html_cell(std::to_string(l->failed_flows), l->failed_flows > 0 ? "fail" : "") +
             (l->ok ? html_cell("ok", "name") : html_cell(l->message.empty() ? "FAILED" : "FAILED: " + l->message, "name fail")) + "</tr>";
    }
  }
  return out + "</table>";
}

}  // namespace

std::string replay_html(const ReplayResult& result) {
  const auto title = result.setup.trace.empty() ? std::string("MoE traffic replay") : "MoE traffic replay: " + result.setup.trace;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>";
  out += fmt::format("<title>{0}</title><style>{1}{2}</style></head><body><h1>{0}</h1>", xml_escape(title),
                     measure::detail::kReportBaseStyle, kReplayStyle);
  out += "<h2>Setup</h2>" + setup_section(result.setup);
  out += "<h2>Totals</h2>" + totals_section(result);
  out += "<h2>Figures</h2>";
  out += "<figure>" + layer_times_figure(result) +
         "<figcaption>(a) Time per layer: a bar per mode, its pale lower part the reconfiguration before the layer, the rest "
         "the layer's completion. A red outline and cross: the layer failed.</figcaption></figure>";
  out += "<figure>" + cumulative_figure(result) +
         "<figcaption>(b) Time spent since the first layer (reconfiguring and completion), after each layer. A red ring: the "
         "layer failed.</figcaption></figure>";
  out += "<figure>" + planned_bytes_figure(result) +
         "<figcaption>(c) Bytes of each layer planned over circuits (full colour) and over the electrical switch (pale), for "
         "the reconfigured and static modes.</figcaption></figure>";
  out += "<h2>Every layer</h2>" + layers_section(result);
  return out + "</body></html>\n";
}

}  // namespace mixnet::coord::replay
