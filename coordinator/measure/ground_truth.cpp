#include "coordinator/measure/ground_truth.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/measure/report_format.hpp"

namespace mixnet::coord::measure {

bool moment_has_truth(Moment m) {
  return m == Moment::cmd_sent || m == Moment::switch_ack || m == Moment::carrier_lost || m == Moment::link_up;
}

bool segment_has_truth(std::size_t segment) {
  return segment < kSegmentCount && moment_has_truth(kSegments[segment].from) && moment_has_truth(kSegments[segment].to);
}

TruthRow match_truth(const PortBreakdown& measured, const GroundTruth& truth, const TruthOptions& options) {
  TruthRow row;
  row.repetition = measured.repetition;
  row.port = measured.port;
  for (std::size_t m = 0; m < kMomentCount; ++m) {
    row.moments[m].missing_reason = moment_has_truth(static_cast<Moment>(m)) ? "" : "the emulator has no truth for it";
  }
  auto set_missing = [&](std::string reason) {
    for (std::size_t m = 0; m < kMomentCount; ++m)
      if (moment_has_truth(static_cast<Moment>(m))) row.moments[m].missing_reason = reason;
  };

  const auto& cmd = measured.moment(Moment::cmd_sent).at;
  if (!cmd) {
    set_missing("no measured command time to find the repetition's changes by");
  } else {
    const auto& ack = measured.moment(Moment::switch_ack).at;
    const std::int64_t lo = cmd->ns - options.tolerance_ns;
    const std::int64_t hi = ack ? ack->ns + options.tolerance_ns
                          : measured.window_end_ns ? *measured.window_end_ns + options.tolerance_ns
                                                   : std::numeric_limits<std::int64_t>::max();
    std::vector<const wire::ChangeRecord*> changes;
    for (const auto& c : truth.changes)
      if (c.received_ns >= lo && c.received_ns <= hi) changes.push_back(&c);
    const auto in_repetition = [&](std::uint64_t id) {
      return std::any_of(changes.begin(), changes.end(), [&](const wire::ChangeRecord* c) { return c->id == id; });
    };
    std::vector<const wire::PlaneEvent*> events;
    for (const auto& e : truth.plane_events)
      if (e.end == measured.port && e.change_id != 0 && in_repetition(e.change_id)) events.push_back(&e);
    std::stable_sort(events.begin(), events.end(),
                     [](const wire::PlaneEvent* a, const wire::PlaneEvent* b) { return a->time_ns < b->time_ns; });

    // The changes that touched this end; without plane events, every change of the repetition.
    std::vector<const wire::ChangeRecord*> own;
    for (const auto* c : changes)
      if (std::any_of(events.begin(), events.end(), [&](const wire::PlaneEvent* e) { return e->change_id == c->id; }))
        own.push_back(c);
    if (own.empty()) own = changes;
    for (const auto* c : own) row.change_ids.push_back(c->id);

    auto& tc = row.moments[static_cast<std::size_t>(Moment::cmd_sent)];
    auto& ta = row.moments[static_cast<std::size_t>(Moment::switch_ack)];
    if (own.empty()) {
      tc.missing_reason = ta.missing_reason = "no emulator change received in this repetition's window";
    } else {
      std::int64_t received = std::numeric_limits<std::int64_t>::max();
      std::int64_t replied = 0;
      bool dropped = false;
      for (const auto* c : own) {
        received = std::min(received, c->received_ns);
        if (c->replied_ns == 0) dropped = true;
        replied = std::max(replied, c->replied_ns);
      }
      tc.at = coordinator_time(received);
      if (dropped) ta.missing_reason = "the emulator dropped the session: no reply was sent";
      else ta.at = coordinator_time(replied);
    }

    std::optional<std::size_t> last_down;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = *events[i];
      if (e.kind == wire::PlaneEventKind::link_down) {
        if (!row.moments[static_cast<std::size_t>(Moment::carrier_lost)].at)
          row.moments[static_cast<std::size_t>(Moment::carrier_lost)].at = coordinator_time(e.time_ns);
        last_down = i;
      } else if (e.kind == wire::PlaneEventKind::light_off && !row.light_off_ns) {
        row.light_off_ns = e.time_ns;
      } else if (e.kind == wire::PlaneEventKind::light_on) {
        row.light_on_ns = e.time_ns;
      }
    }
    if (!row.moments[static_cast<std::size_t>(Moment::carrier_lost)].at)
      row.moments[static_cast<std::size_t>(Moment::carrier_lost)].missing_reason = "no plane link_down for this end in this repetition";
    for (std::size_t i = last_down ? *last_down + 1 : 0; i < events.size(); ++i) {
      if (events[i]->kind == wire::PlaneEventKind::link_up) {
        row.moments[static_cast<std::size_t>(Moment::link_up)].at = coordinator_time(events[i]->time_ns);
        row.training_ms = events[i]->training_ms;
        break;
      }
    }
    if (!row.moments[static_cast<std::size_t>(Moment::link_up)].at)
      row.moments[static_cast<std::size_t>(Moment::link_up)].missing_reason = "no plane link_up for this end in this repetition";
  }

  row.truth_segments = compute_segments(row.moments);
  compare_with_truth(measured, row);
  return row;
}

void compare_with_truth(const PortBreakdown& measured, TruthRow& row) {
  for (std::size_t m = 0; m < kMomentCount; ++m) {
    const auto& a = measured.moments[m].at;
    const auto& t = row.moments[m].at;
    row.moment_error_ns[m] = a && t ? std::optional<std::int64_t>(a->ns - t->ns) : std::nullopt;
    row.measured_lost[m] = moment_has_truth(static_cast<Moment>(m)) && t && !a;
    row.truth_lost[m] = moment_has_truth(static_cast<Moment>(m)) && a && !t;
  }
  for (std::size_t s = 0; s < kSegmentCount; ++s) {
    const auto& a = measured.segments[s];
    const bool judged = segment_has_truth(s) && row.truth_segments[s].status == SegmentStatus::ok;
    // An out-of-order measured segment still has a value: its error belongs in the percentiles
    // (it is likely the worst one), and the row counts as a failure besides.
    row.error_ns[s] = judged && a.status != SegmentStatus::missing ? std::optional<std::int64_t>(a.ns - row.truth_segments[s].ns)
                                                                   : std::nullopt;
    row.measured_inconsistent[s] = judged && a.status == SegmentStatus::inconsistent;
  }
}

namespace {

std::string moment_list(bool with_truth) {
  std::vector<std::string_view> names;
  for (std::size_t m = 0; m < kMomentCount; ++m)
    if (moment_has_truth(static_cast<Moment>(m)) == with_truth) names.push_back(kMomentNames[m]);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string ms_text(std::int64_t ns) { return detail::ms(ns) + " ms"; }

}  // namespace

std::string moments_with_truth() { return moment_list(true); }
std::string moments_without_truth() { return moment_list(false); }

TruthCheck check_against_truth(std::span<const TruthRow> rows, std::int64_t bound_ns) {
  TruthCheck out;
  out.bound_ns = bound_ns;
  out.rows = rows.size();
  std::vector<std::string> failures;
  const auto of_rows = [&](std::uint64_t n) { return fmt::format("{} of {} rows", n, out.rows); };

  // Rows the truth could not be found for: the check cannot judge them, so they fail it.
  for (const auto& r : rows)
    if (!r.moments[static_cast<std::size_t>(Moment::cmd_sent)].at) ++out.unmatched;
  if (out.unmatched > 0) failures.push_back(fmt::format("{} matched to no emulator change", of_rows(out.unmatched)));
  for (std::size_t m = 0; m < kMomentCount; ++m) {
    for (const auto& r : rows) out.lost[m] += r.measured_lost[m] ? 1 : 0;
    if (out.lost[m] > 0) failures.push_back(fmt::format("{} missing {}", of_rows(out.lost[m]), kMomentNames[m]));
    // Unmatched rows are counted above, once, not again per moment.
    const TruthRow* example = nullptr;
    for (const auto& r : rows) {
      if (!r.truth_lost[m] || !r.moments[static_cast<std::size_t>(Moment::cmd_sent)].at) continue;
      ++out.unjudged[m];
      if (example == nullptr) example = &r;
    }
    if (out.unjudged[m] > 0)
      failures.push_back(fmt::format("{} with a measured {} the truth has none of ({})", of_rows(out.unjudged[m]),
                                     kMomentNames[m], example->moments[m].missing_reason));
  }

  std::optional<std::pair<std::string_view, std::int64_t>> worst;   // the largest p99 |error|
  for (std::size_t s = 0; s < kSegmentCount; ++s) {
    if (!segment_has_truth(s)) continue;
    TruthSegmentCheck c;
    c.segment = kSegments[s].name;
    std::vector<std::int64_t> abs;
    for (const auto& r : rows) {
      if (r.truth_segments[s].status != SegmentStatus::ok) continue;
      ++c.rows;
      if (r.error_ns[s]) abs.push_back(std::llabs(*r.error_ns[s]));
      else ++c.missing;
      if (r.measured_inconsistent[s]) ++c.inconsistent;
    }
    c.pairs = abs.size();
    c.abs_error = summarize(std::move(abs));
    c.pass = c.abs_error && c.missing == 0 && c.inconsistent == 0 && c.abs_error->p99 <= bound_ns;
    if (c.inconsistent > 0) failures.push_back(fmt::format("{} inconsistent {}", of_rows(c.inconsistent), c.segment));
    if (!c.abs_error) failures.push_back(fmt::format("{} has no measured/truth pairs", c.segment));
    else if (c.abs_error->p99 > bound_ns) failures.push_back(fmt::format("{} p99 |err| {}", c.segment, ms_text(c.abs_error->p99)));
    if (c.abs_error && (!worst || c.abs_error->p99 > worst->second)) worst = std::pair{c.segment, c.abs_error->p99};
    out.segments.push_back(c);
  }
  out.pass = failures.empty();
  // Missing segments follow from the lost moments above, which name the cause; counted per segment.
  const auto worst_text = worst ? fmt::format("worst p99 |err| {} ({})", ms_text(worst->second), worst->first)
                                : std::string("no p99 |err|");
  out.message = out.pass ? fmt::format("all {} rows judged on {}, {}, every segment within the {} bound", out.rows,
                                       moments_with_truth(), worst_text, ms_text(bound_ns))
                         : fmt::format("{}; {}, bound {}", fmt::join(failures, ", "), worst_text, ms_text(bound_ns));
  return out;
}

}  // namespace mixnet::coord::measure
