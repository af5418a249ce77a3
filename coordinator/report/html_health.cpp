#include "coordinator/report/html_health.hpp"

#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/report/health_verdicts.hpp"
#include "coordinator/report/junit.hpp"   // xml_escape: the one markup escaper (HTML needs the same five entities)
#include "coordinator/report/report_file.hpp"
#include "coordinator/report/svg_trend.hpp"

namespace mixnet::coord {
namespace {

using health::PartKind;
using health::Severity;

// Colours a reader with a colour-vision deficiency can still tell apart, with the verdict also
// written in each cell.
constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1em; margin: 0 0 .4em; }
code { font-family: ui-monospace, monospace; }
.meta { color: #444; }
table { border-collapse: collapse; margin: .4em 0; }
th, td { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#grid td.cell { text-align: center; min-width: 4.5em; }
.badge { display: inline-block; padding: .05em .5em; border-radius: .3em; font-weight: 600; }
.verdict-ok { background: #cdeccd; }
.verdict-warning { background: #ffe08a; }
.verdict-critical { background: #f4a3a3; }
.verdict-unknown { background: #c9c3e6; }
td.absent { background: repeating-linear-gradient(45deg, #f4f4f4, #f4f4f4 4px, #e8e8e8 4px, #e8e8e8 8px); }
tr.failed td { background: #fdeaea; }
article.blame { border-left: .5em solid #999; padding: .5em 1em; margin: 1em 0; background: #fafafa; }
article.blame.verdict-warning { border-color: #e0a800; } article.blame.verdict-critical { border-color: #c62828; }
article.blame.verdict-unknown { border-color: #6a5acd; }
.reason { font-weight: 600; }
.trends { display: flex; flex-wrap: wrap; gap: 1em; }
figure.trend { margin: 0; } figcaption { font-size: .9em; color: #333; }
svg.trend-chart { background: #fff; }
svg .plot { fill: none; stroke: #bbb; } svg .axis { font-size: 10px; fill: #555; } svg .empty { font-size: 12px; fill: #888; }
svg .trend-line { fill: none; stroke: #1f5fa8; stroke-width: 1.5; } svg .trend-point { fill: #1f5fa8; }
)";

std::string esc(std::string_view text) { return xml_escape(text); }

std::string verdict_class(Severity s) { return fmt::format("verdict-{}", health::to_string(s)); }

std::string badge(Severity s) { return fmt::format("<span class=\"badge {}\">{}</span>", verdict_class(s), health::to_string(s)); }

std::string figure(const std::optional<double>& v) { return v ? fmt::format("{:.4g}", *v) : std::string("—"); }

std::string when(std::int64_t ns) { return ns != 0 ? esc(format_realtime_ns(ns)) : std::string("—"); }

std::string tests_table(const std::vector<health::PairTest>& tests) {
  std::string out =
      "<table class=\"tests\"><thead><tr><th>round</th><th>from</th><th>to</th><th>via</th><th>path</th><th>Gb/s</th>"
      "<th>threshold</th><th>result</th><th>detail</th></tr></thead><tbody>";
  for (const auto& t : tests) {
    out += fmt::format(
        "<tr class=\"{}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
        t.passed ? "passed" : "failed", t.round, esc(t.a), esc(t.b), health::to_string(t.via), esc(t.path), figure(t.gbps),
        figure(t.threshold_gbps), t.passed ? "passed" : "failed", esc(t.detail));
  }
  return out + "</tbody></table>";
}

std::string findings_table(const std::vector<health::Finding>& findings) {
  std::string out =
      "<table class=\"findings\"><thead><tr><th>verdict</th><th>kind</th><th>part</th><th>figure</th><th>value</th>"
      "<th>compared with</th><th>rule</th><th>message</th></tr></thead><tbody>";
  for (const auto& f : findings) {
    out += fmt::format(
        "<tr class=\"finding {}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        verdict_class(f.severity), badge(f.severity), health::to_string(f.kind), esc(f.part), esc(f.figure), figure(f.value),
        figure(f.reference), esc(f.rule), esc(f.message));
  }
  return out + "</tbody></table>";
}

// The other ends of the blamed part's tests: who it was tried with.
std::vector<std::string> partners_of(const health::Blame& b) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& end) {
    if (seen.insert(end).second) out.push_back(end);
  };
  for (const auto& t : b.tests) {
    if (b.kind == PartKind::port) {
      if (t.a == b.part) add(t.b);
      else if (t.b == b.part) add(t.a);
    } else if (b.kind == PartKind::host) {
      const bool a_here = host_of_port(t.a) == b.part;
      const bool b_here = host_of_port(t.b) == b.part;
      if (a_here && !b_here) add(t.b);
      else if (b_here && !a_here) add(t.a);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + esc(i);
  return out;
}

std::string grid(const health::HealthReport& report, const HealthVerdicts& verdicts) {
  // Columns: every port name in the order first seen; a host without that port gets a blank cell.
  std::vector<std::string> columns;
  std::set<std::string> column_set;
  std::map<std::string, std::set<std::string>> ports_of_host;
  for (const auto& p : report.ports) {
    const auto name = std::string(port_of_port(p));
    if (column_set.insert(name).second) columns.push_back(name);
    ports_of_host[std::string(host_of_port(p))].insert(name);
  }
  std::map<std::string, std::pair<int, int>> test_count;   // port -> passed, failed
  for (const auto& t : report.tests) {
    for (const auto* end : {&t.a, &t.b}) (t.passed ? test_count[*end].first : test_count[*end].second) += 1;
  }
  std::string out = "<table id=\"grid\"><thead><tr><th>host</th>";
  for (const auto& c : columns) out += fmt::format("<th>{}</th>", esc(c));
  out += "</tr></thead><tbody>";
  for (const auto& host : report.hosts) {
    const auto hs = verdicts.hosts.at(host);
    out += fmt::format("<tr><th class=\"host {}\" data-host=\"{}\">{}{}</th>", verdict_class(hs), esc(host), esc(host),
                       verdicts.blamed_hosts.at(host) ? " <small>(out of service)</small>" : "");
    for (const auto& c : columns) {
      if (!ports_of_host[host].contains(c)) {
        out += "<td class=\"cell absent\"></td>";
        continue;
      }
      const auto port = host + ":" + c;
      const auto ps = verdicts.ports.at(port);
      const auto [passed, failed] = test_count[port];
      out += fmt::format("<td class=\"cell {}\" data-port=\"{}\" title=\"{}: {}, {} tests passed, {} failed\">{}</td>", verdict_class(ps),
                         esc(port), esc(port), health::to_string(ps), passed, failed, health::to_string(ps));
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

std::string blames_section(const health::HealthReport& report) {
  std::string out = fmt::format("<section id=\"blames\"><h2>Blamed ({})</h2>", report.blames.size());
  if (report.blames.empty()) return out + "<p class=\"none\">Nothing blamed.</p></section>";
  int n = 0;
  for (const auto& b : report.blames) {
    out += fmt::format("<article class=\"blame {}\" id=\"blame-{}\" data-kind=\"{}\" data-part=\"{}\"><h3>{} {} <code>{}</code></h3>",
                       verdict_class(b.severity), ++n, health::to_string(b.kind), esc(b.part), badge(b.severity), health::to_string(b.kind),
                       esc(b.part));
    out += fmt::format("<p class=\"reason\">{}</p>", esc(b.reason));
    out += b.hosts.empty() ? std::string("<p class=\"hosts\">Takes no host out of service.</p>")
                           : fmt::format("<p class=\"hosts\">Takes out of service: {}</p>", joined(b.hosts));
    const auto partners = partners_of(b);
    if (!partners.empty()) out += fmt::format("<p class=\"partners\">Partners: {}</p>", joined(partners));
    out += b.tests.empty() ? std::string("<p>No bandwidth test behind this blame.</p>")
                           : fmt::format("<h4>Tests ({})</h4>{}", b.tests.size(), tests_table(b.tests));
    if (!b.findings.empty()) out += fmt::format("<h4>Findings ({})</h4>{}", b.findings.size(), findings_table(b.findings));
    out += "</article>";
  }
  return out + "</section>";
}

std::string trends_section(const HealthHistory& history) {
  std::string out = fmt::format("<section id=\"trends\"><h2>Trends ({})</h2>", history.size());
  if (history.empty()) return out + "<p class=\"none\">No history yet.</p></section>";
  out += "<div class=\"trends\">";
  for (const auto& s : history) {
    out += fmt::format("<figure class=\"trend\" data-kind=\"{}\" data-part=\"{}\" data-figure=\"{}\"><figcaption>{} <code>{}</code> {}{}</figcaption>",
                       health::to_string(s.kind), esc(s.part), esc(s.figure), health::to_string(s.kind), esc(s.part), esc(s.figure),
                       s.unit.empty() ? std::string{} : fmt::format(" ({})", esc(s.unit)));
    out += svg_trend_chart(s) + "</figure>";
  }
  return out + "</div></section>";
}

}  // namespace

std::string health_html(const health::HealthReport& report, const HealthHistory& history) {
  const auto verdicts = verdicts_of(report);
  std::size_t failed = 0;
  for (const auto& t : report.tests) failed += t.passed ? 0 : 1;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += fmt::format("<title>MixNet nightly health {}: {}</title><style>{}</style></head><body>", esc(report.run_id),
                     health::to_string(report.overall), kStyle);
  out += fmt::format("<header><h1>MixNet nightly health <span id=\"overall\" class=\"badge {}\">{}</span></h1>", verdict_class(report.overall),
                     health::to_string(report.overall));
  out += fmt::format(
      "<p class=\"meta\">run <code>{}</code>, started {}, finished {}: {} hosts, {} ports, {} bandwidth tests ({} failed), "
      "{} findings, {} blamed.</p></header>",
      esc(report.run_id), when(report.started_ns), when(report.finished_ns), report.hosts.size(), report.ports.size(), report.tests.size(),
      failed, report.findings.size(), report.blames.size());
  out += "<section id=\"ports\"><h2>Hosts and ports</h2>" + grid(report, verdicts) +
         "<p class=\"legend\">Each cell is a NIC port: " + badge(Severity::ok) + " " + badge(Severity::warning) + " " +
         badge(Severity::critical) + " " + badge(Severity::unknown) +
         " (could not judge). A verdict on a host covers its ports; a blamed circuit (cable or OCS path) colours neither end.</p></section>";
  out += blames_section(report);
  out += fmt::format("<section id=\"findings\"><h2>Findings ({})</h2>", report.findings.size());
  out += report.findings.empty() ? std::string("<p class=\"none\">No rule found anything.</p>") : findings_table(report.findings);
  out += "</section>";
  out += trends_section(history);
  out += fmt::format("<section id=\"all-tests\"><h2>Bandwidth tests ({})</h2><details><summary>every test, first pass and retests</summary>{}</details></section>",
                     report.tests.size(), tests_table(report.tests));
  out += "</body></html>\n";
  return out;
}

Result<void> write_health_html(const health::HealthReport& report, const HealthHistory& history, const std::string& path) {
  return write_report_file(path, health_html(report, history), "html report");
}

}  // namespace mixnet::coord
