#pragma once
// The proof: every measured moment set against the emulator's ground truth (GET /v1/changes on the
// emulator's control API, and the lab plane's per-end events, GET /v1/plane/events). Per
// repetition and port the truth moments are
//   cmd_sent     <-> the change's received_ns (the switch read the command)
//   switch_ack   <-> the change's replied_ns (the reply was handed to the socket; 0 = dropped)
//   carrier_lost <-> the end's first plane "link_down" (the OCS-side link taken down)
//   link_up      <-> the end's first plane "link_up" after its last "link_down" (trained, up)
// and the error of a segment is measured - truth, both computed with the same segment table.
// identity_confirmed and traffic_full_rate have no truth: the check says nothing about them.
// Every row counts: where the truth has a moment and the measurement lost it (or put a segment
// the truth has out of order), the check fails and says how many rows; the worst rows are never
// left out of the error percentiles. docs/measurement.md, "Ground-truth check".
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/wire/ground_truth.hpp"
#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/percentile.hpp"

namespace mixnet::coord::measure {

// The emulator's records of a measurement's window, typed (TruthReader reads them; JSON stays
// at that edge): its change records and its lab plane's per-end events.
struct GroundTruth {
  std::vector<wire::ChangeRecord> changes;
  std::vector<wire::PlaneEvent> plane_events;
};

struct TruthOptions {
  // A change belongs to a repetition when the switch received it within
  // [cmd_sent - tolerance, (switch_ack or window end) + tolerance]: the lab's clocks are one clock,
  // the tolerance only absorbs stamping order.
  std::int64_t tolerance_ns = 5'000'000;
  std::int64_t bound_ns = 1'000'000;  // |error| p99 must be within this (issue 6: 1 ms, fast profile)
};

// The segments the truth can speak for: both their ends have a truth moment.
bool segment_has_truth(std::size_t segment);
bool moment_has_truth(Moment m);

struct TruthRow {
  int repetition = 0;
  std::string port;
  std::vector<std::uint64_t> change_ids;               // the emulator changes matched to this row
  std::array<MomentValue, kMomentCount> moments;       // truth (coordinator clock == lab clock)
  std::optional<std::int64_t> light_off_ns, light_on_ns;
  std::optional<double> training_ms;
  std::array<std::optional<std::int64_t>, kMomentCount> moment_error_ns;   // measured - truth
  std::array<SegmentValue, kSegmentCount> truth_segments;
  std::array<std::optional<std::int64_t>, kSegmentCount> error_ns;         // measured - truth
  // Where the two disagree on what happened (filled by compare_with_truth):
  std::array<bool, kMomentCount> measured_lost{};           // the truth has the moment, the measurement not
  // The measurement has the moment, the truth not (e.g. switch_ack read back after a dropped
  // session: the emulator sent no reply). The check cannot judge it, so the row fails it.
  std::array<bool, kMomentCount> truth_lost{};
  std::array<bool, kSegmentCount> measured_inconsistent{};  // the truth has the segment, the measured one is out of order
};

TruthRow match_truth(const PortBreakdown& measured, const GroundTruth& truth, const TruthOptions& options);

// Fills `row`'s errors and disagreements from its truth moments and segments and the measured
// row: the one place both match_truth and a document read back judge a row.
void compare_with_truth(const PortBreakdown& measured, TruthRow& row);

// The moments the check speaks for, and those it cannot ("cmd_sent, switch_ack, ...").
std::string moments_with_truth();
std::string moments_without_truth();

struct TruthSegmentCheck {
  std::string_view segment;
  std::uint64_t rows = 0;                   // rows whose truth has this segment
  std::uint64_t pairs = 0;                  // of those, rows with a measured value (ok or inconsistent)
  std::uint64_t missing = 0;                // of those, rows whose measured segment is missing
  std::uint64_t inconsistent = 0;           // of those, rows whose measured segment is out of order
  std::optional<Distribution> abs_error;    // of |measured - truth| over the pairs, ns
  bool pass = false;                        // pairs > 0, none missing or inconsistent, p99 |error| <= bound
};

struct TruthCheck {
  std::int64_t bound_ns = 0;
  bool pass = false;                        // every row judged, every segment with truth passes
  std::uint64_t rows = 0;                   // every row given to the check
  std::uint64_t unmatched = 0;              // rows no emulator change could be found for (unjudged: a failure)
  std::array<std::uint64_t, kMomentCount> lost{};  // per moment: rows whose truth has it and measurement not
  std::array<std::uint64_t, kMomentCount> unjudged{};  // per moment: rows measured with no truth to judge by
  std::vector<TruthSegmentCheck> segments;  // only segments with truth
  std::string message;                      // one line: why it failed, or that it passed, with counts
};

TruthCheck check_against_truth(std::span<const TruthRow> rows, std::int64_t bound_ns);

}  // namespace mixnet::coord::measure
