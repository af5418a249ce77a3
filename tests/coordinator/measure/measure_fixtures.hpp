#pragma once
// Synthetic reconfigurations with known truth, for the measurement tests: the emulator's ground
// truth is written first, and the "measured" inputs are derived from it with known errors, a
// known agent clock offset and events in scrambled order.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "common/wire/ground_truth.hpp"
#include "coordinator/measure/ground_truth.hpp"

namespace mixnet::coord::measure::testing {

inline constexpr std::int64_t kMs = 1'000'000;
inline constexpr std::int64_t kT0 = 1'795'936'000'000'000'000;  // a CLOCK_REALTIME in 2026

// One port in one repetition, in truth (lab clock).
struct TrueRepetition {
  int repetition;
  std::string port;
  std::int64_t cmd_sent, received, replied, ack;  // cmd_sent/ack: coordinator; received/replied: switch
  std::int64_t link_down, light_on, link_up;      // plane events of the end
  std::uint64_t disconnect_id, connect_id;
};

// `reps` repetitions 2 s apart, two ports each; every duration differs a little per rep and port.
inline std::vector<TrueRepetition> make_truth_plan(int reps) {
  std::vector<TrueRepetition> out;
  std::uint64_t id = 1;
  for (int r = 1; r <= reps; ++r) {
    const std::int64_t base = kT0 + static_cast<std::int64_t>(r) * 2000 * kMs;
    const std::uint64_t disconnect_id = id++, connect_id = id++;
    for (int p = 0; p < 2; ++p) {
      TrueRepetition t{};
      t.repetition = r;
      t.port = p == 0 ? "h1:ocs0" : "h2:ocs0";
      t.cmd_sent = base;
      t.received = base + 150'000;                       // 0.15 ms on the wire
      t.replied = t.received + (18 + r % 5) * kMs;       // the switch settles, then replies
      t.ack = t.replied + 120'000;
      t.link_down = t.received + 200'000 + p * 10'000;   // light off as the mirror moves away
      t.light_on = t.received + (15 + r % 5) * kMs;
      t.link_up = t.light_on + (40 + 7 * ((r + p) % 6)) * kMs;  // link training
      t.disconnect_id = disconnect_id;
      t.connect_id = connect_id;
      out.push_back(t);
    }
  }
  return out;
}

// The emulator's records for that plan (what GET /v1/changes and GET /v1/plane/events report).
inline std::vector<mixnet::wire::ChangeRecord> truth_changes(const std::vector<TrueRepetition>& plan) {
  std::vector<mixnet::wire::ChangeRecord> list;
  for (std::size_t i = 0; i < plan.size(); i += 2) {
    const auto& t = plan[i];
    const auto batch = static_cast<std::uint64_t>(t.repetition);
    mixnet::wire::ChangeRecord disconnect{.id = t.disconnect_id, .batch = batch, .kind = "disconnect", .from = 1, .to = 17};
    disconnect.received_ns = t.received;
    disconnect.started_ns = t.received;
    disconnect.settled_ns = t.received + 100'000;
    disconnect.replied_ns = t.replied;
    list.push_back(disconnect);
    mixnet::wire::ChangeRecord connect{.id = t.connect_id, .batch = batch, .kind = "connect", .from = 1, .to = 18};
    connect.received_ns = t.received + 1000;
    connect.switching_ns = 15 * kMs;
    connect.started_ns = t.received + 1000;
    connect.settled_ns = t.light_on;
    connect.replied_ns = t.replied;
    list.push_back(connect);
  }
  return list;
}

inline std::vector<mixnet::wire::PlaneEvent> truth_plane_events(const std::vector<TrueRepetition>& plan) {
  using Kind = mixnet::wire::PlaneEventKind;
  std::vector<mixnet::wire::PlaneEvent> list;
  std::uint64_t seq = 1;
  for (const auto& t : plan) {
    list.push_back({seq++, t.port, Kind::light_off, t.link_down - 5000, t.disconnect_id, std::nullopt});
    list.push_back({seq++, t.port, Kind::link_down, t.link_down, t.disconnect_id, std::nullopt});
    list.push_back({seq++, t.port, Kind::light_on, t.light_on, t.connect_id, std::nullopt});
    list.push_back({seq++, t.port, Kind::link_up, t.link_up, t.connect_id, static_cast<double>(t.link_up - t.light_on) / 1e6});
  }
  return list;
}

inline GroundTruth truth_of(const std::vector<TrueRepetition>& plan) { return {truth_changes(plan), truth_plane_events(plan)}; }

// An agent clock `offset` ahead of the coordinator's, known to +-`uncertainty`.
inline ClockOffset agent_clock(const std::string& host, std::int64_t offset, std::int64_t uncertainty) {
  ClockOffset c;
  c.clock = "agent:" + host;
  c.offset_ns = offset;
  c.uncertainty_ns = uncertainty;
  c.best_rtt_ns = 2 * uncertainty;
  c.samples = 8;
  return c;
}

// The measured inputs for one planned row: agent stamps carry `agent_delay` (the kernel and the
// agent noticing), are taken on a clock `offset` ahead and are listed newest first.
inline PortInputs measured_inputs(const TrueRepetition& t, const ClockOffset& clock, std::int64_t agent_delay,
                                  std::optional<std::int64_t> window_end) {
  PortInputs in;
  in.repetition = t.repetition;
  in.port = t.port;
  in.from_topology = t.repetition % 2 ? "A" : "B";
  in.to_topology = t.repetition % 2 ? "B" : "A";
  in.cmd_sent = coordinator_time(t.cmd_sent);
  in.switch_ack = coordinator_time(t.ack);
  const auto stamp = [&](std::int64_t true_ns) { return align(clock, true_ns + agent_delay + clock.offset_ns); };
  in.link_events.push_back(LinkEvent{stamp(t.link_up), LinkEventKind::link_up});
  in.link_events.push_back(LinkEvent{stamp(t.link_down), LinkEventKind::carrier_lost});
  in.window_end_ns = window_end;
  in.identity_confirmed = coordinator_time(t.link_up + 3 * kMs);
  return in;
}

}  // namespace mixnet::coord::measure::testing
