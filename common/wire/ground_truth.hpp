#pragma once
// The ground truth's wire types: what the OCS emulator's control API reports (GET /v1/changes)
// and what the lab's physical plane reports through it (GET /v1/plane, GET /v1/plane/events).
// The emulator and the plane write these records; the coordinator reads them back to check its
// measurements (coordinator/measure/ground_truth.hpp). docs/ocs-emulator.md lists the routes.
//
// Times are CLOCK_REALTIME nanoseconds (int64) in fields ending in _ns. Replies are read
// leniently about keys they do not know (a newer emulator may add some) and strictly about the
// keys they do: a missing or mistyped one is Errc::protocol naming it, e.g.
// "changes[2].received_ns".
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::wire {

// When light reached (circuit made) or left (circuit broken) a switch port.
struct PortLight {
  int port = 0;
  std::int64_t ns = 0;
  friend bool operator==(const PortLight&, const PortLight&) = default;
};

// One entry of the emulator's ground truth: a connection change, or a port event (shutter,
// failure) that turned a settled circuit's light off or on.
struct ChangeRecord {
  std::uint64_t id = 0;
  std::uint64_t batch = 0;          // changes of one command share a batch (0: none)
  std::string kind;                 // "connect" | "disconnect" | "light-off" | "light-on"
  int from = 0;
  int to = 0;
  bool bidirectional = false;
  std::string source;               // "tl1#3", "calient#1", "rest", "control"
  std::string command;              // "ENT-PATCH ctag=7", "PUT /api/data/..."
  std::int64_t received_ns = 0;     // command received and validated
  std::int64_t switching_ns = 0;    // the drawn switching time (a duration)
  std::int64_t started_ns = 0;      // switching began (later than received when the port was busy)
  std::int64_t settled_ns = 0;      // switching finished (0 while in flight)
  std::int64_t replied_ns = 0;      // the batch's reply was written (0: not yet, or dropped)
  std::vector<PortLight> light;     // from the physical plane: when light reached / left ports
  std::string plane_error;          // the physical plane's error, if it failed (absent when empty)
  friend bool operator==(const ChangeRecord&, const ChangeRecord&) = default;
};

// GET /v1/changes?after=ID&limit=N: the records after ID, oldest first, and the newest id now.
struct ChangesPage {
  std::vector<ChangeRecord> changes;
  std::uint64_t last_id = 0;
  friend bool operator==(const ChangesPage&, const ChangesPage&) = default;
};

// What happened to one end (a NIC port's OCS-side veth) of the lab's physical plane. emit_off /
// emit_on: the end's NIC port went admin down / up, so its transmitter stopped / started sending
// light (its peer then goes dark / relights by the light rule).
enum class PlaneEventKind { light_on, light_off, link_up, link_down, emit_off, emit_on };
// "light_on", "light_off", "link_up", "link_down", "emit_off", "emit_on"
std::string_view to_string(PlaneEventKind kind);

struct PlaneEvent {
  std::uint64_t seq = 0;
  std::string end;                       // "h1:ocs0": the NIC port, as the inventory names it
  PlaneEventKind kind = PlaneEventKind::light_on;
  std::int64_t time_ns = 0;
  std::uint64_t change_id = 0;           // the emulator change that caused it; 0 for faults
  std::optional<double> training_ms;     // link_up after training: the drawn delay
  friend bool operator==(const PlaneEvent&, const PlaneEvent&) = default;
};

// GET /v1/plane/events?after=SEQ&limit=N: the events after SEQ, oldest first, and the sequence
// number to ask after next (SEQ itself when there was nothing new).
struct PlaneEventsPage {
  std::vector<PlaneEvent> events;
  std::uint64_t next_after = 0;
  friend bool operator==(const PlaneEventsPage&, const PlaneEventsPage&) = default;
};

// The part of GET /v1/plane a reader needs to start from "now": the newest event's sequence
// number. The rest of that reply describes the plane for people and is not typed here.
struct PlaneMark {
  std::uint64_t last_seq = 0;
};

void to_json(nlohmann::json& j, const PortLight& v);
void to_json(nlohmann::json& j, const ChangeRecord& v);
void to_json(nlohmann::json& j, const ChangesPage& v);
void to_json(nlohmann::json& j, const PlaneEvent& v);
void to_json(nlohmann::json& j, const PlaneEventsPage& v);

// `field` is where the value sits, for error messages ("changes[2]"); empty at the top level.
Result<ChangeRecord> parse_change_record(const nlohmann::json& j, std::string_view field);
Result<ChangesPage> parse_changes_page(const nlohmann::json& j);
Result<PlaneEvent> parse_plane_event(const nlohmann::json& j, std::string_view field);
Result<PlaneEventsPage> parse_plane_events_page(const nlohmann::json& j);
Result<PlaneMark> parse_plane_mark(const nlohmann::json& j);

}  // namespace mixnet::wire
