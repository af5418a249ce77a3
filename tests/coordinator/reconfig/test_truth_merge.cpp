// merge_truth: several switches' ground truth as one, each switch's ids in a range of its own
// (switch k: k x 10^9 + the emulator's id), so a port's row is matched with its own switch's changes.
#include <catch2/catch.hpp>

#include "coordinator/reconfig/truth_merge.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

constexpr std::int64_t kMergeT0 = 1'796'000'000'000'000'000;

// One emulator's truth: a command (batch 1) connecting `end`'s port, changes 1 and 2, the plane's
// events for `end` caused by change 1, and a fault (change 0) on it.
measure::GroundTruth switch_truth_for(const std::string& end, std::int64_t offset_ns) {
  measure::GroundTruth t;
  t.changes.push_back({.id = 1, .batch = 1, .kind = "connect", .from = 1, .to = 2, .received_ns = kMergeT0 + offset_ns,
                       .replied_ns = kMergeT0 + offset_ns + 2'000'000});
  t.changes.push_back({.id = 2, .batch = 1, .kind = "connect", .from = 3, .to = 4, .received_ns = kMergeT0 + offset_ns + 10,
                       .replied_ns = kMergeT0 + offset_ns + 2'000'000});
  t.plane_events.push_back({.seq = 1, .end = end, .kind = wire::PlaneEventKind::link_down, .time_ns = kMergeT0 + offset_ns + 1'000'000, .change_id = 1});
  t.plane_events.push_back({.seq = 2, .end = end, .kind = wire::PlaneEventKind::link_up, .time_ns = kMergeT0 + offset_ns + 5'000'000, .change_id = 1});
  t.plane_events.push_back({.seq = 3, .end = end, .kind = wire::PlaneEventKind::light_off, .time_ns = kMergeT0 + offset_ns + 9'000'000, .change_id = 0});
  return t;
}

// A measured row of `port` whose command went at kMergeT0 and was acknowledged 2 ms later.
measure::PortBreakdown measured_row_of(const std::string& port) {
  measure::PortBreakdown b;
  b.repetition = 1;
  b.port = port;
  b.moments[static_cast<std::size_t>(measure::Moment::cmd_sent)].at = measure::Timestamp{.ns = kMergeT0};
  b.moments[static_cast<std::size_t>(measure::Moment::switch_ack)].at = measure::Timestamp{.ns = kMergeT0 + 2'000'000};
  return b;
}

}  // namespace

TEST_CASE("merge_truth: switch k's change ids and batches are k x 10^9 + the emulator's, in each switch's order") {
  measure::GroundTruth merged;
  REQUIRE(merge_truth(merged, switch_truth_for("h1:ocs0", 0), 0).has_value());
  REQUIRE(merge_truth(merged, switch_truth_for("h5:ocs0", 0), 1).has_value());
  REQUIRE(merge_truth(merged, switch_truth_for("h9:ocs0", 0), 2).has_value());

  std::vector<std::uint64_t> ids, batches;
  for (const auto& c : merged.changes) ids.push_back(c.id), batches.push_back(c.batch);
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 1'000'000'001, 1'000'000'002, 2'000'000'001, 2'000'000'002});
  CHECK(batches == std::vector<std::uint64_t>{1, 1, 1'000'000'001, 1'000'000'001, 2'000'000'001, 2'000'000'001});
  // No id is used twice across switches.
  auto sorted = ids;
  std::ranges::sort(sorted);
  CHECK(std::ranges::adjacent_find(sorted) == sorted.end());

  // Plane events follow their change; a fault's 0 stays 0 (no change caused it). Order kept.
  std::vector<std::pair<std::string, std::uint64_t>> events;
  for (const auto& e : merged.plane_events) events.emplace_back(e.end, e.change_id);
  CHECK(events == std::vector<std::pair<std::string, std::uint64_t>>{{"h1:ocs0", 1},
                                                                     {"h1:ocs0", 1},
                                                                     {"h1:ocs0", 0},
                                                                     {"h5:ocs0", 1'000'000'001},
                                                                     {"h5:ocs0", 1'000'000'001},
                                                                     {"h5:ocs0", 0},
                                                                     {"h9:ocs0", 2'000'000'001},
                                                                     {"h9:ocs0", 2'000'000'001},
                                                                     {"h9:ocs0", 0}});
  // Everything else is the emulator's own.
  CHECK(merged.changes[2].received_ns == kMergeT0);
  CHECK(merged.changes[2].kind == "connect");
  CHECK(merged.plane_events[4].kind == wire::PlaneEventKind::link_up);
}

TEST_CASE("merge_truth: a port's row is matched with its own switch's changes only") {
  // Both switches took their command at the same moment; each emulator numbered its change 1.
  measure::GroundTruth merged;
  REQUIRE(merge_truth(merged, switch_truth_for("h1:ocs0", 0), 0).has_value());
  REQUIRE(merge_truth(merged, switch_truth_for("h5:ocs0", 100), 1).has_value());

  const auto on_first = measure::match_truth(measured_row_of("h1:ocs0"), merged, {});
  const auto on_second = measure::match_truth(measured_row_of("h5:ocs0"), merged, {});
  CHECK(on_first.change_ids == std::vector<std::uint64_t>{1});
  CHECK(on_second.change_ids == std::vector<std::uint64_t>{1'000'000'001});
  // The second switch's row reads its own link-up, not the first switch's.
  const auto& link_up = on_second.moments[static_cast<std::size_t>(measure::Moment::link_up)];
  REQUIRE(link_up.at.has_value());
  CHECK(link_up.at->ns == kMergeT0 + 100 + 5'000'000);
}

TEST_CASE("merge_truth: an emulator id of 10^9 or more is refused whole, the merged truth unchanged") {
  measure::GroundTruth merged;
  REQUIRE(merge_truth(merged, switch_truth_for("h1:ocs0", 0), 0).has_value());
  const auto before = merged.changes.size();
  const auto events_before = merged.plane_events.size();

  SECTION("a change id") {
    auto part = switch_truth_for("h5:ocs0", 0);
    part.changes[1].id = kTruthIdStride;
    const auto r = merge_truth(merged, part, 1);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
    CHECK(r.error().field == "change_id");
  }
  SECTION("a batch") {
    auto part = switch_truth_for("h5:ocs0", 0);
    part.changes[0].batch = kTruthIdStride + 7;
    CHECK(merge_truth(merged, part, 1).error().code == Errc::protocol);
  }
  SECTION("a plane event's change id, even on the first switch") {
    auto part = switch_truth_for("h5:ocs0", 0);
    part.plane_events[1].change_id = 3 * kTruthIdStride;
    CHECK(merge_truth(merged, part, 0).error().code == Errc::protocol);
  }
  CHECK(merged.changes.size() == before);
  CHECK(merged.plane_events.size() == events_before);
  // The largest id that fits is merged.
  auto part = switch_truth_for("h5:ocs0", 0);
  part.changes[1].id = kTruthIdStride - 1;
  REQUIRE(merge_truth(merged, part, 1).has_value());
  CHECK(merged.changes.back().id == 2 * kTruthIdStride - 1);
}
