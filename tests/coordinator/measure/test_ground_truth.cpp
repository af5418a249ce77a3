#include <catch2/catch.hpp>

#include <algorithm>

#include "coordinator/measure/ground_truth.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using namespace mixnet::coord::measure::testing;

namespace {

const auto kNoClock = agent_clock("lab", 0, 0);  // the lab: one host clock for all

std::vector<PortBreakdown> measure_plan(const std::vector<TrueRepetition>& plan, std::int64_t agent_delay) {
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  std::vector<PortBreakdown> out;
  for (const auto& t : plan) {
    // The next repetition's command closes this one's window (repetitions are 2 s apart).
    out.push_back(compute_breakdown(measured_inputs(t, kNoClock, agent_delay, t.cmd_sent + 2000 * kMs), rule));
  }
  return out;
}

}  // namespace

// Parsing the emulator's replies is the wire type's (tests/common/test_ground_truth_wire.cpp);
// the check works on typed records.
TEST_CASE("the plan's truth has both ends' plane events per change") {
  const auto truth = truth_of(make_truth_plan(2));
  CHECK(truth.changes.size() == 4);
  CHECK(truth.plane_events.size() == 16);
  CHECK(truth.plane_events[3].training_ms.has_value());
}

TEST_CASE("measured moments match their truth events, and the error is measured minus truth") {
  const auto plan = make_truth_plan(3);
  const auto truth = truth_of(plan);
  const auto rows = measure_plan(plan, 120'000);  // the agent notices 0.12 ms after the plane acted
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& t = plan[i];
    const auto row = match_truth(rows[i], truth, TruthOptions{});
    INFO(rows[i].port << " rep " << rows[i].repetition);
    CHECK(row.change_ids == std::vector<std::uint64_t>{t.disconnect_id, t.connect_id});
    CHECK(row.moments[static_cast<std::size_t>(Moment::cmd_sent)].at->ns == t.received);
    CHECK(row.moments[static_cast<std::size_t>(Moment::switch_ack)].at->ns == t.replied);
    CHECK(row.moments[static_cast<std::size_t>(Moment::carrier_lost)].at->ns == t.link_down);
    CHECK(row.moments[static_cast<std::size_t>(Moment::link_up)].at->ns == t.link_up);
    CHECK(row.light_on_ns == t.light_on);
    CHECK(row.light_off_ns == t.link_down - 5000);
    CHECK(row.training_ms == Approx(static_cast<double>(t.link_up - t.light_on) / 1e6));
    CHECK(*row.moment_error_ns[static_cast<std::size_t>(Moment::carrier_lost)] == 120'000);
    CHECK(*row.moment_error_ns[static_cast<std::size_t>(Moment::cmd_sent)] == -150'000);
    // carrier lost -> link up: both stamps late by the same 0.12 ms, so the segment is exact.
    CHECK(*row.error_ns[*segment_index("carrier_lost_to_link_up")] == 0);
    // cmd -> link up: truth starts at received (0.15 ms after the command), the stamp is 0.12 ms late.
    CHECK(*row.error_ns[*segment_index("cmd_to_link_up")] == 150'000 + 120'000);
    CHECK(*row.error_ns[*segment_index("cmd_to_ack")] == (t.ack - t.cmd_sent) - (t.replied - t.received));
    CHECK_FALSE(row.error_ns[*segment_index("link_up_to_identity")].has_value());  // no truth for identity
  }
}

TEST_CASE("the check passes within the bound at p99 and fails beyond it") {
  const auto plan = make_truth_plan(5);
  const auto truth = truth_of(plan);
  std::vector<TruthRow> rows;
  for (const auto& b : measure_plan(plan, 200'000)) rows.push_back(match_truth(b, truth, TruthOptions{}));
  const auto ok = check_against_truth(rows, 1'000'000);
  CHECK(ok.pass);
  CHECK(ok.segments.size() == 5);
  for (const auto& s : ok.segments) {
    INFO(s.segment);
    CHECK(s.pairs == 10);
    CHECK(s.pass);
    CHECK(s.abs_error->max <= 1'000'000);
  }
  CHECK_THAT(ok.message, Catch::Contains("within"));

  // One port's link up stamped 2 ms late in one repetition: with 10 rows p99 is the max, so it fails.
  auto late = measure_plan(plan, 200'000);
  auto inputs = measured_inputs(plan[3], kNoClock, 200'000, plan[3].cmd_sent + 2000 * kMs);
  for (auto& e : inputs.link_events)
    if (e.kind == LinkEventKind::link_up) e.at.ns += 2'000'000;
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  late[3] = compute_breakdown(inputs, rule);
  std::vector<TruthRow> late_rows;
  for (const auto& b : late) late_rows.push_back(match_truth(b, truth, TruthOptions{}));
  const auto bad = check_against_truth(late_rows, 1'000'000);
  CHECK_FALSE(bad.pass);
  CHECK_THAT(bad.message, Catch::Contains("carrier_lost_to_link_up"));
  int judged = 0;   // both segments that end at the late link up must be there, and fail
  for (const auto& s : bad.segments) {
    if (s.segment == "carrier_lost_to_link_up" || s.segment == "cmd_to_link_up") {
      ++judged;
      CHECK_FALSE(s.pass);
      REQUIRE(s.abs_error.has_value());
      CHECK(s.abs_error->p50 <= 1'000'000);  // the typical row is still fine
    }
  }
  CHECK(judged == 2);
}

TEST_CASE("truth matching ignores other repetitions, other ends and fault events") {
  const auto plan = make_truth_plan(2);
  auto truth = std::make_optional(truth_of(plan));
  // A flap fault on h1:ocs0 during repetition 1 (change_id 0): not the command's doing.
  truth->plane_events.push_back({100, "h1:ocs0", mixnet::wire::PlaneEventKind::link_down, plan[0].link_up + 5 * kMs, 0, std::nullopt});
  const auto rows = measure_plan(plan, 0);
  const auto r1 = match_truth(rows[0], *truth, TruthOptions{});
  CHECK(r1.moments[static_cast<std::size_t>(Moment::link_up)].at->ns == plan[0].link_up);
  CHECK(r1.moments[static_cast<std::size_t>(Moment::carrier_lost)].at->ns == plan[0].link_down);
  const auto r3 = match_truth(rows[2], *truth, TruthOptions{});  // repetition 2, h1:ocs0
  CHECK(r3.moments[static_cast<std::size_t>(Moment::carrier_lost)].at->ns == plan[2].link_down);
}

TEST_CASE("a dropped reply and a missing plane leave the truth missing, not zero") {
  const auto plan = make_truth_plan(1);
  auto truth = std::make_optional(GroundTruth{truth_changes(plan), {}});
  for (auto& c : truth->changes) c.replied_ns = 0;
  auto rows = measure_plan(plan, 0);
  rows[0].moments[static_cast<std::size_t>(Moment::switch_ack)].at.reset();  // the driver saw no reply either
  rows[0].segments = compute_segments(rows[0].moments);
  const auto row = match_truth(rows[0], *truth, TruthOptions{});
  CHECK(row.moments[static_cast<std::size_t>(Moment::cmd_sent)].at.has_value());
  CHECK_FALSE(row.moments[static_cast<std::size_t>(Moment::switch_ack)].at.has_value());
  CHECK_THAT(row.moments[static_cast<std::size_t>(Moment::switch_ack)].missing_reason, Catch::Contains("dropped"));
  CHECK_FALSE(row.moments[static_cast<std::size_t>(Moment::link_up)].at.has_value());
  for (const auto& e : row.error_ns) CHECK_FALSE(e.has_value());
  const auto check = check_against_truth(std::vector<TruthRow>{row}, 1'000'000);
  CHECK_FALSE(check.pass);
  CHECK_THAT(check.message, Catch::Contains("no measured/truth pairs"));
}

namespace {

// Every planned row measured; `lose_carrier` rows (by index) lost their carrier-lost event.
std::vector<TruthRow> judge(const std::vector<TrueRepetition>& plan, const GroundTruth& truth, const std::vector<std::size_t>& lose_carrier) {
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  std::vector<TruthRow> out;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    auto in = measured_inputs(plan[i], kNoClock, 200'000, plan[i].cmd_sent + 2000 * kMs);
    if (std::find(lose_carrier.begin(), lose_carrier.end(), i) != lose_carrier.end())
      std::erase_if(in.link_events, [](const LinkEvent& e) { return e.kind == LinkEventKind::carrier_lost; });
    out.push_back(match_truth(compute_breakdown(in, rule), truth, TruthOptions{}));
  }
  return out;
}

}  // namespace

TEST_CASE("rows that lost a moment the truth has fail the check, with their count in the verdict") {
  // 120 rows, 3 of which lost carrier_lost: the other 117 pairs are all well within the bound,
  // so a check over the pairs alone passes; every row counts, and these three fail it.
  const auto plan = make_truth_plan(60);
  const auto truth = truth_of(plan);
  const auto clean = check_against_truth(judge(plan, truth, {}), 1'000'000);
  REQUIRE(clean.pass);
  CHECK(clean.rows == 120);
  CHECK_THAT(clean.message, Catch::Contains("all 120 rows judged on cmd_sent, switch_ack, carrier_lost, link_up"));

  const auto rows = judge(plan, truth, {7, 50, 101});
  CHECK(rows[7].measured_lost[static_cast<std::size_t>(Moment::carrier_lost)]);
  CHECK_FALSE(rows[8].measured_lost[static_cast<std::size_t>(Moment::carrier_lost)]);
  const auto check = check_against_truth(rows, 1'000'000);
  CHECK_FALSE(check.pass);
  CHECK(check.lost[static_cast<std::size_t>(Moment::carrier_lost)] == 3);
  CHECK(check.lost[static_cast<std::size_t>(Moment::link_up)] == 0);
  CHECK_THAT(check.message, Catch::StartsWith("3 of 120 rows missing carrier_lost"));
  CHECK_THAT(check.message, Catch::Contains("worst p99 |err|"));
  for (const auto& s : check.segments) {
    INFO(s.segment);
    CHECK(s.rows == 120);
    const bool needs_carrier = s.segment == "cmd_to_carrier_lost" || s.segment == "ack_to_carrier_lost" ||
                               s.segment == "carrier_lost_to_link_up";
    CHECK(s.missing == (needs_carrier ? 3u : 0u));
    CHECK(s.pairs + s.missing == s.rows);
    CHECK(s.pass == !needs_carrier);
  }
}

TEST_CASE("an out-of-order measured segment fails the check and its error stays in the percentiles") {
  const auto plan = make_truth_plan(10);
  const auto truth = truth_of(plan);
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  std::vector<TruthRow> rows;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    auto in = measured_inputs(plan[i], kNoClock, 100'000, plan[i].cmd_sent + 2000 * kMs);
    // Row 4's acknowledgement stamped 1 ms before its command (a driver's stamping error; still
    // near enough to find the repetition's changes by): inconsistent.
    if (i == 4) in.switch_ack = coordinator_time(plan[i].cmd_sent - kMs);
    rows.push_back(match_truth(compute_breakdown(in, rule), truth, TruthOptions{}));
  }
  const auto seg = *segment_index("cmd_to_ack");
  CHECK(rows[4].measured_inconsistent[seg]);
  REQUIRE(rows[4].error_ns[seg].has_value());   // the value is kept and judged, not dropped
  const auto check = check_against_truth(rows, 1'000'000);
  CHECK_FALSE(check.pass);
  CHECK_THAT(check.message, Catch::Contains("1 of 20 rows inconsistent cmd_to_ack"));
  for (const auto& s : check.segments) {
    if (s.segment != "cmd_to_ack") continue;
    CHECK(s.inconsistent == 1);
    CHECK(s.pairs == 20);
    REQUIRE(s.abs_error);
    CHECK(s.abs_error->max > 15 * kMs);   // the inconsistent row is the worst error, and it is counted
    CHECK_FALSE(s.pass);
  }
}

TEST_CASE("a row no emulator change can be found for is a failure, not a row left out") {
  const auto plan = make_truth_plan(3);
  const auto truth = truth_of(plan);
  auto rows = judge(plan, truth, {});
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  auto in = measured_inputs(plan[0], kNoClock, 0, std::nullopt);
  in.cmd_sent = coordinator_time(kT0 + 3'600'000 * kMs);   // an hour later: no change near it
  in.switch_ack.reset();
  rows.push_back(match_truth(compute_breakdown(in, rule), truth, TruthOptions{}));
  const auto check = check_against_truth(rows, 1'000'000);
  CHECK(check.rows == 7);
  CHECK(check.unmatched == 1);
  CHECK_FALSE(check.pass);
  CHECK_THAT(check.message, Catch::Contains("1 of 7 rows matched to no emulator change"));
}

TEST_CASE("a measured moment the truth has none of (an ack read back after a dropped session) fails the check") {
  // Repetition 2 of 5: the emulator dropped the session after applying, so it never replied
  // (replied_ns 0), while the driver, after recovering, stamped switch_ack at the read-back that
  // found the change in place. Its 2 rows have a measured switch_ack the check cannot judge: they
  // count as failures, named with the truth's reason, not as rows quietly left out of cmd_to_ack.
  const auto plan = make_truth_plan(5);
  auto truth = std::make_optional(truth_of(plan));
  const auto dropped_id = truth->changes[2].id;
  for (auto& c : truth->changes)
    if (c.id == dropped_id) c.replied_ns = 0;
  const auto rows = judge(plan, *truth, {});
  const auto ack = static_cast<std::size_t>(Moment::switch_ack);
  int unjudged_rows = 0;
  for (const auto& r : rows) unjudged_rows += r.truth_lost[ack] ? 1 : 0;
  CHECK(unjudged_rows == 2);
  const auto check = check_against_truth(rows, 1'000'000);
  CHECK_FALSE(check.pass);
  CHECK(check.unjudged[ack] == 2);
  CHECK(check.lost[ack] == 0);
  CHECK_THAT(check.message, Catch::Contains("2 of 10 rows with a measured switch_ack the truth has none of"));
  CHECK_THAT(check.message, Catch::Contains("dropped"));
}
