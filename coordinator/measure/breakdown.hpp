#pragma once
// The reconfiguration breakdown of one port in one repetition: six moments (command sent, switch
// acknowledged, carrier lost, link up, identity confirmed, traffic back at full rate) and the
// segments between them. A moment that was not seen is "missing" with the reason, never a zero;
// a segment is missing when either end is. docs/measurement.md, "Segments".
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/measure/full_rate.hpp"
#include "coordinator/measure/percentile.hpp"
#include "coordinator/measure/timestamp.hpp"

namespace mixnet::coord::measure {

enum class Moment : std::size_t { cmd_sent, switch_ack, carrier_lost, link_up, identity_confirmed, traffic_full_rate };
inline constexpr std::size_t kMomentCount = 6;
inline constexpr std::array<std::string_view, kMomentCount> kMomentNames = {
    "cmd_sent", "switch_ack", "carrier_lost", "link_up", "identity_confirmed", "traffic_full_rate"};
inline constexpr std::string_view name_of(Moment m) { return kMomentNames[static_cast<std::size_t>(m)]; }
std::optional<Moment> moment_named(std::string_view name);

struct SegmentDef {
  std::string_view name;
  Moment from;
  Moment to;
  // Physics orders the two ends (the end cannot come first). A signed segment may be negative:
  // the switch acknowledges after its mirrors settle, often after the carrier is already gone.
  bool ordered;
};
inline constexpr std::size_t kSegmentCount = 8;
inline constexpr std::array<SegmentDef, kSegmentCount> kSegments = {{
    {"cmd_to_ack", Moment::cmd_sent, Moment::switch_ack, true},
    {"cmd_to_carrier_lost", Moment::cmd_sent, Moment::carrier_lost, true},
    {"ack_to_carrier_lost", Moment::switch_ack, Moment::carrier_lost, false},
    {"carrier_lost_to_link_up", Moment::carrier_lost, Moment::link_up, true},
    {"cmd_to_link_up", Moment::cmd_sent, Moment::link_up, true},
    {"link_up_to_identity", Moment::link_up, Moment::identity_confirmed, true},
    {"link_up_to_traffic", Moment::link_up, Moment::traffic_full_rate, true},
    {"cmd_to_traffic", Moment::cmd_sent, Moment::traffic_full_rate, true},
}};
std::optional<std::size_t> segment_index(std::string_view name);

// Link events as the breakdown needs them (the agent's journal kinds map onto these).
enum class LinkEventKind { carrier_lost, link_up };
struct LinkEvent {
  Timestamp at;           // aligned onto the coordinator's clock
  LinkEventKind kind;
};
// The agent's journal kind: "link_down" -> carrier_lost, "link_up" -> link_up, anything else
// (oper_state, admin_*, rdma_*) -> nullopt: one physical change raises several journal entries and
// the carrier ones are the ones every NIC has.
std::optional<LinkEventKind> link_event_kind(std::string_view agent_kind);

// The OCS driver lost its session (or request) during the repetition's change and recovered:
// cmd_sent is still the first command that left, but switch_ack may be the read-back that found
// the change in place rather than the completion reply. Such a row is marked in every report.
struct SwitchRecovery {
  int count = 0;           // 0: none
  std::string cause;       // the first loss, as the driver said it
  bool ack_is_read_back = false;  // switch_ack is the read-back that found the change, not a reply
};

struct PortInputs {
  int repetition = 0;                  // 1-based
  std::string port;                    // "h1:ocs0"
  std::string from_topology, to_topology;
  std::optional<Timestamp> cmd_sent;   // the OCS driver's stamps (coordinator clock)
  std::optional<Timestamp> switch_ack;
  SwitchRecovery switch_recovery;      // the driver's change had to recover a lost session
  std::vector<LinkEvent> link_events;  // this port's events, any order; the window below selects
  // Events at or after this (coordinator clock) belong to the next repetition. Without it every
  // later event counts, so a module measuring several repetitions must give it.
  std::optional<std::int64_t> window_end_ns;
  std::optional<Timestamp> identity_confirmed;  // when the far end's identity probe matched
  std::optional<Timeline> traffic;              // bytes delivered over this port's circuit
  // The far end of the port's new circuit: its events, picked by the same window and rule. Its
  // link up bounds traffic_full_rate from below (traffic needs both ends); empty: own link up only.
  std::vector<LinkEvent> peer_link_events;
};

struct MomentValue {
  std::optional<Timestamp> at;
  std::string missing_reason;          // set when `at` is absent
};

enum class SegmentStatus { ok, missing, inconsistent };
std::string_view to_string(SegmentStatus s);

struct SegmentValue {
  SegmentStatus status = SegmentStatus::missing;
  std::int64_t ns = 0;                 // to - from (signed); meaningful unless missing
  std::int64_t uncertainty_ns = 0;     // +-
  std::string reason;                  // missing / inconsistent: why
};

struct PortBreakdown {
  int repetition = 0;
  std::string port, from_topology, to_topology;
  std::optional<std::int64_t> window_end_ns;
  std::array<MomentValue, kMomentCount> moments;
  std::array<SegmentValue, kSegmentCount> segments;
  int flaps = 0;                       // carrier losses after the first one, in the window
  SwitchRecovery switch_recovery;      // copied from the inputs
  std::optional<double> reference_gbps;  // the rate "full rate" was judged against
  std::optional<double> threshold_gbps;

  [[nodiscard]] const MomentValue& moment(Moment m) const { return moments[static_cast<std::size_t>(m)]; }
};

PortBreakdown compute_breakdown(const PortInputs& in, const FullRateRule& rule);

// The segments given their moments (shared with the ground-truth check, which fills truth moments).
std::array<SegmentValue, kSegmentCount> compute_segments(const std::array<MomentValue, kMomentCount>& moments);

// Over repetitions (and ports): every segment's distribution of the ok values.
struct SegmentSummary {
  std::string_view segment;
  std::uint64_t ok = 0, missing = 0, inconsistent = 0;
  std::optional<Distribution> distribution;  // of ok values, ns
  std::int64_t max_uncertainty_ns = 0;       // the largest +- among the ok values
};
std::vector<SegmentSummary> summarize_segments(std::span<const PortBreakdown> rows);

}  // namespace mixnet::coord::measure
