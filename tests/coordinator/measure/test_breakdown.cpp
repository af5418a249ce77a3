#include <catch2/catch.hpp>

#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using namespace mixnet::coord::measure::testing;

namespace {

const SegmentValue& seg(const PortBreakdown& b, std::string_view name) { return b.segments[*segment_index(name)]; }

FullRateRule rule10g() {
  FullRateRule r;
  r.line_rate_gbps = 10.0;
  r.hold_ns = 20 * kMs;
  return r;
}

// Traffic over the port: full rate, dark from the carrier loss until `back`, full again after.
Timeline traffic(std::int64_t start, std::int64_t lost, std::int64_t back, const ClockOffset& clock) {
  Timeline t;
  t.start = align(clock, start + clock.offset_ns);
  t.bin_ns = kMs;
  for (std::int64_t b = start; b < back + 300 * kMs; b += kMs) t.bytes.push_back(b + kMs <= lost || b >= back ? 1'250'000 : 0);
  return t;
}

}  // namespace

TEST_CASE("agent journal kinds map onto the breakdown's link events") {
  CHECK(link_event_kind("link_down") == LinkEventKind::carrier_lost);
  CHECK(link_event_kind("link_up") == LinkEventKind::link_up);
  CHECK_FALSE(link_event_kind("oper_state").has_value());
}

TEST_CASE("a full breakdown from scrambled events on an offset agent clock") {
  const auto plan = make_truth_plan(1);
  const auto& t = plan[0];
  const auto clock = agent_clock("h1", 250 * kMs, 40'000);  // agent 250 ms ahead, +-40 us
  auto in = measured_inputs(t, clock, 0, std::nullopt);
  // Traffic is back on the first whole millisecond bin 2 ms or more after the link came up.
  const std::int64_t back = t.cmd_sent + ((t.link_up - t.cmd_sent) / kMs + 3) * kMs;
  in.traffic = traffic(t.cmd_sent - 200 * kMs, t.link_down, back, clock);
  const auto b = compute_breakdown(in, rule10g());

  REQUIRE(b.moment(Moment::carrier_lost).at);
  CHECK(b.moment(Moment::carrier_lost).at->ns == t.link_down);
  CHECK(b.moment(Moment::link_up).at->ns == t.link_up);
  CHECK(b.moment(Moment::carrier_lost).at->uncertainty_ns == 40'000);
  REQUIRE(b.moment(Moment::traffic_full_rate).at);
  CHECK(b.moment(Moment::traffic_full_rate).at->ns == back);
  CHECK(b.flaps == 0);

  for (const auto& s : b.segments) CHECK(s.status == SegmentStatus::ok);
  CHECK(seg(b, "cmd_to_ack").ns == t.ack - t.cmd_sent);
  CHECK(seg(b, "cmd_to_ack").uncertainty_ns == 0);
  CHECK(seg(b, "cmd_to_carrier_lost").ns == t.link_down - t.cmd_sent);
  CHECK(seg(b, "cmd_to_carrier_lost").uncertainty_ns == 40'000);  // across clocks: the alignment counts
  CHECK(seg(b, "ack_to_carrier_lost").ns == t.link_down - t.ack);
  CHECK(seg(b, "ack_to_carrier_lost").ns < 0);                     // signed: the ack comes after the loss
  CHECK(seg(b, "carrier_lost_to_link_up").ns == t.link_up - t.link_down);
  CHECK(seg(b, "carrier_lost_to_link_up").uncertainty_ns == 0);    // one agent clock: the offset cancels
  CHECK(seg(b, "cmd_to_link_up").ns == t.link_up - t.cmd_sent);
  CHECK(seg(b, "link_up_to_identity").ns == 3 * kMs);
  CHECK(seg(b, "link_up_to_traffic").ns == back - t.link_up);
  CHECK(seg(b, "link_up_to_traffic").uncertainty_ns == kMs);       // one bin, same clock
  CHECK(seg(b, "cmd_to_traffic").ns == back - t.cmd_sent);
}

TEST_CASE("missing moments give missing segments with reasons, never zeros") {
  const auto plan = make_truth_plan(1);
  auto in = measured_inputs(plan[0], agent_clock("h1", 0, 10'000), 0, std::nullopt);
  in.switch_ack.reset();
  in.identity_confirmed.reset();
  in.link_events.erase(std::remove_if(in.link_events.begin(), in.link_events.end(),
                                      [](const LinkEvent& e) { return e.kind == LinkEventKind::link_up; }),
                       in.link_events.end());
  const auto b = compute_breakdown(in, rule10g());
  CHECK_FALSE(b.moment(Moment::switch_ack).at);
  CHECK_FALSE(b.moment(Moment::link_up).at);
  CHECK_THAT(b.moment(Moment::link_up).missing_reason, Catch::Contains("no link_up"));
  CHECK_THAT(b.moment(Moment::traffic_full_rate).missing_reason, Catch::Contains("no traffic timeline"));
  CHECK(seg(b, "cmd_to_carrier_lost").status == SegmentStatus::ok);
  for (auto name : {"cmd_to_ack", "ack_to_carrier_lost", "carrier_lost_to_link_up", "cmd_to_link_up", "link_up_to_identity",
                    "link_up_to_traffic", "cmd_to_traffic"}) {
    INFO(name);
    CHECK(seg(b, name).status == SegmentStatus::missing);
    CHECK(seg(b, name).ns == 0);
    CHECK_FALSE(seg(b, name).reason.empty());
  }
  CHECK_THAT(seg(b, "carrier_lost_to_link_up").reason, Catch::Contains("link_up missing"));

  auto summaries = summarize_segments(std::vector<PortBreakdown>{b});
  CHECK(summaries[*segment_index("cmd_to_link_up")].missing == 1);
  CHECK(summaries[*segment_index("cmd_to_link_up")].ok == 0);
  CHECK_FALSE(summaries[*segment_index("cmd_to_link_up")].distribution.has_value());
}

TEST_CASE("the window picks this repetition's events: flaps count, the final link up wins") {
  const auto clock = agent_clock("h1", 0, 0);
  PortInputs in;
  in.repetition = 2;
  in.port = "h1:ocs0";
  in.cmd_sent = coordinator_time(kT0);
  in.window_end_ns = kT0 + 1000 * kMs;
  const auto ev = [&](std::int64_t ms, LinkEventKind k) { return LinkEvent{align(clock, kT0 + ms * kMs), k}; };
  in.link_events = {
      ev(1040, LinkEventKind::carrier_lost),  // next repetition: outside the window
      ev(120, LinkEventKind::link_up),        // the final, stable link up
      ev(-500, LinkEventKind::carrier_lost),  // previous repetition: before the command
      ev(60, LinkEventKind::link_up),         // came up, then flapped
      ev(5, LinkEventKind::carrier_lost),
      ev(80, LinkEventKind::carrier_lost),
      ev(-400, LinkEventKind::link_up),
  };
  const auto b = compute_breakdown(in, rule10g());
  CHECK(b.moment(Moment::carrier_lost).at->ns == kT0 + 5 * kMs);
  CHECK(b.moment(Moment::link_up).at->ns == kT0 + 120 * kMs);
  CHECK(b.flaps == 1);
  CHECK(seg(b, "carrier_lost_to_link_up").ns == 115 * kMs);
}

TEST_CASE("a port dark before the command has no carrier loss but still a link up") {
  PortInputs in;
  in.port = "h3:ocs0";
  in.cmd_sent = coordinator_time(kT0);
  in.link_events = {LinkEvent{coordinator_time(kT0 + 70 * kMs), LinkEventKind::link_up}};
  const auto b = compute_breakdown(in, rule10g());
  CHECK_FALSE(b.moment(Moment::carrier_lost).at);
  CHECK(b.moment(Moment::link_up).at->ns == kT0 + 70 * kMs);
  CHECK(seg(b, "cmd_to_link_up").status == SegmentStatus::ok);
  CHECK(seg(b, "carrier_lost_to_link_up").status == SegmentStatus::missing);
}

TEST_CASE("an ordered segment running backwards beyond its uncertainty is inconsistent") {
  PortInputs in;
  in.port = "h1:ocs0";
  in.cmd_sent = coordinator_time(kT0);
  in.switch_ack = coordinator_time(kT0 + 20 * kMs);
  in.link_events = {LinkEvent{coordinator_time(kT0 + 50 * kMs), LinkEventKind::link_up}};
  in.identity_confirmed = coordinator_time(kT0 + 40 * kMs);  // before the link was up: impossible
  const auto b = compute_breakdown(in, rule10g());
  CHECK(seg(b, "link_up_to_identity").status == SegmentStatus::inconsistent);
  CHECK(seg(b, "link_up_to_identity").ns == -10 * kMs);
  CHECK_THAT(seg(b, "link_up_to_identity").reason, Catch::Contains("before"));

  // Within the uncertainty it is only noise, and stays ok.
  in.identity_confirmed = Timestamp{kT0 + 49 * kMs, 2 * kMs, 2 * kMs, "agent:h2"};
  const auto c = compute_breakdown(in, rule10g());
  CHECK(seg(c, "link_up_to_identity").status == SegmentStatus::ok);
}

TEST_CASE("segment summaries use nearest-rank percentiles over ok rows") {
  std::vector<PortBreakdown> rows;
  for (int r = 1; r <= 10; ++r) {
    PortInputs in;
    in.repetition = r;
    in.port = "h1:ocs0";
    in.cmd_sent = coordinator_time(kT0);
    in.switch_ack = coordinator_time(kT0 + r * kMs);
    rows.push_back(compute_breakdown(in, rule10g()));
  }
  const auto s = summarize_segments(rows)[*segment_index("cmd_to_ack")];
  CHECK(s.ok == 10);
  REQUIRE(s.distribution);
  CHECK(s.distribution->p50 == 5 * kMs);
  CHECK(s.distribution->p90 == 9 * kMs);
  CHECK(s.distribution->p99 == 10 * kMs);
  CHECK(s.distribution->max == 10 * kMs);
}

TEST_CASE("traffic back at full rate is never before the link up at either end of the circuit") {
  const auto plan = make_truth_plan(1);
  const auto& t = plan[0];
  const auto clock = agent_clock("h1", 0, 0);
  auto in = measured_inputs(t, clock, 0, t.cmd_sent + 2000 * kMs);
  // The stream is back from the bin holding this port's link up (its bytes arrive within it).
  const std::int64_t bin_of_up = t.link_up - (t.link_up - (t.cmd_sent - 100 * kMs)) % kMs;
  in.traffic = traffic(t.cmd_sent - 100 * kMs, t.link_down, bin_of_up, clock);
  const auto own = compute_breakdown(in, rule10g());
  REQUIRE(own.moment(Moment::traffic_full_rate).at);
  CHECK(own.moment(Moment::traffic_full_rate).at->ns == std::max(bin_of_up, t.link_up));
  CHECK(seg(own, "link_up_to_traffic").ns >= 0);

  // The far end came up 3 ms later (its events, in the same window): the moment is its link up.
  const auto far = t.link_up + 3 * kMs + 250'000;
  in.peer_link_events = {LinkEvent{coordinator_time(t.link_down + 10'000), LinkEventKind::carrier_lost},
                         LinkEvent{coordinator_time(far), LinkEventKind::link_up}};
  const auto both = compute_breakdown(in, rule10g());
  REQUIRE(both.moment(Moment::traffic_full_rate).at);
  CHECK(both.moment(Moment::traffic_full_rate).at->ns == far);
  CHECK(both.moment(Moment::traffic_full_rate).at->uncertainty_ns == kMs);
  CHECK(both.moment(Moment::link_up).at->ns == t.link_up);   // the row's own link up is still its own
}

TEST_CASE("a switch session recovery in the inputs marks the row and leaves the moments as stamped") {
  const auto plan = make_truth_plan(1);
  auto in = measured_inputs(plan[0], agent_clock("h1", 0, 10'000), 0, std::nullopt);
  const auto plain = compute_breakdown(in, rule10g());
  CHECK(plain.switch_recovery.count == 0);
  in.switch_recovery = SwitchRecovery{2, "io: ENT-PATCH::1,17: the switch closed the session"};
  const auto b = compute_breakdown(in, rule10g());
  CHECK(b.switch_recovery.count == 2);
  CHECK(b.switch_recovery.cause == in.switch_recovery.cause);
  CHECK(b.moment(Moment::cmd_sent).at->ns == in.cmd_sent->ns);
  CHECK(b.moment(Moment::switch_ack).at->ns == in.switch_ack->ns);
  CHECK(seg(b, "cmd_to_ack").ns == seg(plain, "cmd_to_ack").ns);
}
