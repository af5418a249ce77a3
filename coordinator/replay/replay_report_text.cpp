// The replay's short text summary (step message, CLI) and the wording it shares with the HTML page.
#include <fmt/format.h>

#include "coordinator/replay/replay_report.hpp"
#include "coordinator/replay/replay_report_format.hpp"

namespace mixnet::coord::replay {

namespace detail {

std::string seconds_text(double s) { return fmt::format("{:.3f} s", s); }

std::string speedup_text(const std::vector<ModeTotals>& totals, ReplayMode baseline) {
  const double s = speedup_over(totals, baseline);
  return s > 0 ? fmt::format("{:.2f}x", s) : std::string("not run");
}

std::string line_rate_text(const ReplaySetup& setup) {
  auto text = fmt::format("{:g} Gb/s", setup.line_rate_gbps);
  return setup.line_rate_source.empty() ? text : fmt::format("{} ({})", text, setup.line_rate_source);
}

}  // namespace detail

std::string replay_scale_sentence(const ReplaySetup& setup) {
  return fmt::format("the trace's bytes were multiplied by {:g}{}{}", setup.scale, setup.scale_reason.empty() ? "" : " ", setup.scale_reason);
}

std::string replay_summary_text(const ReplayResult& result) {
  const auto totals = mode_totals(result);
  std::string out = fmt::format("{:<13} {:>6} {:>12} {:>14} {:>12} {:>7}\n", "mode", "layers", "completion", "reconfiguring", "total",
                                "failed");
  for (const auto& t : totals) {
    out += fmt::format("{:<13} {:>6} {:>12} {:>14} {:>12} {:>7}\n", mode_name(t.mode), t.layers, detail::seconds_text(t.completion_s),
                       detail::seconds_text(t.reconfig_s), detail::seconds_text(t.total_s()), t.failed_layers);
  }
  out += fmt::format("speedup of reconfiguring: over static {}, over electrical {}\n", detail::speedup_text(totals, ReplayMode::fixed),
                     detail::speedup_text(totals, ReplayMode::electrical));
  out += fmt::format("scale: {}; every data port shaped to {}\n", replay_scale_sentence(result.setup),
                     detail::line_rate_text(result.setup));
  return out;
}

}  // namespace mixnet::coord::replay
