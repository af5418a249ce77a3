#pragma once
// The physical plane: what turns the emulator's cross-connects into light (or, in the emulated
// lab, into kernel forwarding between veth ends). The emulator calls it when a circuit's
// switching has settled (made) and when a circuit's light path is taken down (broken), in the
// order the switch did them: for any one port, a break always comes before the next make.
//
// Calls arrive on one emulator-owned worker thread, never on the io_context thread, one at a time
// and in order, so an implementation may run a netlink or tc call inside and needs no locking of
// its own. A batch's reply (TL1 COMPLD, HTTP 2xx) waits for its plane calls, like a real switch
// whose light is there when it says done. The emulator works without a plane (NullPlane).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/wire/ground_truth.hpp"

namespace mixnet::ocs_emu {

struct CircuitChange {
  std::uint64_t change_id = 0;   // the ground-truth record (0 for shutter and fault events)
  int from = 0;                  // ingress (NxM) or one end (any-to-any)
  int to = 0;                    // egress (NxM) or the other end
  bool bidirectional = false;    // any-to-any: light flows both ways
  std::int64_t received_ns = 0;  // CLOCK_REALTIME: the command arrived
  std::int64_t settled_ns = 0;   // CLOCK_REALTIME: the switching finished (the plane is called now)
  std::string reason;            // "connect", "disconnect", "shutter", "fail", "restore"
};

// When light reached (made) or left (broken) a port, CLOCK_REALTIME ns: the ground truth's own
// record of it (a change record's "light"), so what the plane returns is what gets reported.
using PortLight = wire::PortLight;

// The switch ports that receive light from their own fibres now: a transmitter that emits sits
// on each (NxM: an input; any-to-any: a port). The rest have no light arriving.
using FibreLightListener = std::function<void(const std::set<int>& lit_ports)>;

// The answer to a plane-specific control request (see PhysicalPlane::control).
struct PlaneControlReply {
  unsigned status = 404;
  nlohmann::json body;
};

class PhysicalPlane {
 public:
  virtual ~PhysicalPlane() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  // The light path from -> to (and to -> from when bidirectional) is made. Returns the ports that
  // now receive light and when; an error is recorded in the ground truth and logged, the switch
  // state stays as commanded (a real switch does not undo a connection because a fibre is dark).
  virtual Result<std::vector<PortLight>> circuit_made(const CircuitChange& change) = 0;
  // The light path is gone. Returns the ports that went dark and when.
  virtual Result<std::vector<PortLight>> circuit_broken(const CircuitChange& change) = 0;
  // The control API's /v1/plane routes, answered by the plane itself so the control service
  // stays generic: method, the whole request target ("/v1/plane/events?after=3") and the body.
  // Unlike the circuit calls this comes from the emulator's io thread, concurrently with them;
  // a plane that answers does its own locking and must answer promptly. The default answers 404
  // (no plane-specific state: NullPlane, RecordingPlane).
  virtual PlaneControlReply control(std::string_view method, std::string_view target, std::string_view body);
  // A plane that knows where the transmitters' light lands (the lab plane) calls `listener` with
  // the whole set at once, from inside this call, and again after every change of it, from any
  // of its threads, one call at a time and in order, with its own lock held: the listener may
  // take a lock of its own but must never call the plane. Registering again replaces the
  // listener; nullptr unregisters (once it returns, the old listener is never called again). The
  // default knows nothing and never calls it: the emulator keeps its configured input power.
  virtual void watch_fibre_light(FibreLightListener listener);
};

// No physical layer: the emulator's default. Reports nothing, so ground truth has no light times.
class NullPlane final : public PhysicalPlane {
 public:
  [[nodiscard]] std::string name() const override { return "null"; }
  Result<std::vector<PortLight>> circuit_made(const CircuitChange&) override { return std::vector<PortLight>{}; }
  Result<std::vector<PortLight>> circuit_broken(const CircuitChange&) override { return std::vector<PortLight>{}; }
};

// Records every call (thread-safe), reports light at the receiving ports at the time of the call.
// For tests, and as a reference for what a real plane is asked to do.
class RecordingPlane final : public PhysicalPlane {
 public:
  struct Call {
    bool made = false;        // circuit_made or circuit_broken
    CircuitChange change;
    std::int64_t called_ns = 0;
  };

  [[nodiscard]] std::string name() const override { return "recording"; }
  Result<std::vector<PortLight>> circuit_made(const CircuitChange& change) override;
  Result<std::vector<PortLight>> circuit_broken(const CircuitChange& change) override;

  [[nodiscard]] std::vector<Call> calls() const;
  void clear();
  // Make the next calls fail (to test that failures are recorded, not fatal).
  void fail_calls(bool fail);

 private:
  Result<std::vector<PortLight>> record(bool made, const CircuitChange& change);
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  bool fail_ = false;
};

}  // namespace mixnet::ocs_emu
