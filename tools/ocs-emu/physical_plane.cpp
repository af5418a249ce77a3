#include "tools/ocs-emu/physical_plane.hpp"

#include "common/clock.hpp"

namespace mixnet::ocs_emu {

PlaneControlReply PhysicalPlane::control(std::string_view, std::string_view, std::string_view) {
  return PlaneControlReply{404, nlohmann::json{{"error",
                                                {{"code", "not_found"},
                                                 {"message", "this emulator runs without a lab plane (--lab-plane FILE)"},
                                                 {"field", "path"}}}}};
}

void PhysicalPlane::watch_fibre_light(FibreLightListener) {}

Result<std::vector<PortLight>> RecordingPlane::record(bool made, const CircuitChange& change) {
  const std::int64_t now = realtime_ns();
  std::lock_guard lock(mutex_);
  calls_.push_back(Call{made, change, now});
  if (fail_) return fail(Errc::io, std::string("recording plane told to fail ") + (made ? "circuit_made" : "circuit_broken"));
  // Light (or its absence) arrives at the receiving end, and at both ends of a two-way circuit.
  std::vector<PortLight> out{PortLight{change.to, now}};
  if (change.bidirectional) out.push_back(PortLight{change.from, now});
  return out;
}

Result<std::vector<PortLight>> RecordingPlane::circuit_made(const CircuitChange& change) { return record(true, change); }
Result<std::vector<PortLight>> RecordingPlane::circuit_broken(const CircuitChange& change) { return record(false, change); }

std::vector<RecordingPlane::Call> RecordingPlane::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void RecordingPlane::clear() {
  std::lock_guard lock(mutex_);
  calls_.clear();
}

void RecordingPlane::fail_calls(bool fail_next) {
  std::lock_guard lock(mutex_);
  fail_ = fail_next;
}

}  // namespace mixnet::ocs_emu
