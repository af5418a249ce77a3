#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/measure/reports.hpp"

namespace mixnet::coord::measure {

namespace {

std::string cell(const std::optional<Distribution>& d, std::int64_t Distribution::*field) {
  return d ? detail::ms((*d).*field) : std::string("-");
}

}  // namespace

std::string render_summary_text(const Measurement& m) {
  std::set<int> repetitions, recovered;
  std::set<std::string> ports;
  for (const auto& r : m.rows) {
    repetitions.insert(r.measured.repetition);
    ports.insert(r.measured.port);
    if (r.measured.switch_recovery.count > 0) recovered.insert(r.measured.repetition);
  }
  std::string out;
  if (!m.title.empty()) out += m.title + "\n";
  out += fmt::format("{} repetitions x {} ports, times in ms (nearest-rank percentiles over ok rows)\n",
                     repetitions.size(), ports.size());
  out += fmt::format("full rate: {}\n", detail::describe_rule(m.rule));
  if (!recovered.empty())
    out += fmt::format("switch session recovered in repetition(s) {}: their switch_ack may be a read-back, not the reply\n",
                       fmt::join(recovered, ", "));
  out += fmt::format("{:<24} {:>5} {:>5} {:>10} {:>10} {:>10} {:>10} {:>9}\n", "segment", "ok", "miss", "p50", "p90", "p99",
                     "max", "+-max");
  const auto rows = measured_rows(m.rows);
  for (const auto& s : summarize_segments(rows)) {
    const auto& d = s.distribution;
    out += fmt::format("{:<24} {:>5} {:>5} {:>10} {:>10} {:>10} {:>10} {:>9}\n", s.segment, s.ok, s.missing + s.inconsistent,
                       cell(d, &Distribution::p50), cell(d, &Distribution::p90), cell(d, &Distribution::p99),
                       cell(d, &Distribution::max), d ? detail::ms(s.max_uncertainty_ns) : "-");
  }
  if (m.truth_check) {
    const auto& t = *m.truth_check;
    out += fmt::format("ground truth: {}, {}\n", t.pass ? "PASS" : "FAIL", t.message);
    out += fmt::format("checked against ground truth: {}; not checked (no truth): {}\n", moments_with_truth(),
                       moments_without_truth());
    out += fmt::format("{:<24} {:>5} {:>5} {:>5} {:>5} {:>12} {:>12} {:>12}  {}\n", "segment", "rows", "pairs", "miss", "inc",
                       "p50 |err|", "p99 |err|", "max |err|", "verdict");
    for (const auto& s : t.segments) {
      const auto& d = s.abs_error;
      out += fmt::format("{:<24} {:>5} {:>5} {:>5} {:>5} {:>12} {:>12} {:>12}  {}\n", s.segment, s.rows, s.pairs, s.missing,
                         s.inconsistent, cell(d, &Distribution::p50), cell(d, &Distribution::p99), cell(d, &Distribution::max),
                         s.pass ? "ok" : "FAIL");
    }
  }
  return out;
}

}  // namespace mixnet::coord::measure
