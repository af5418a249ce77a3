#pragma once
// NetnsPlane: the emulated OCS's physical plane in the kernel. Each NIC port cabled to the
// switch is a veth pair whose OCS-side end sits in one namespace; a cross-connect in(A)->out(B)
// becomes a tc u32 match-all + mirred egress redirect from A's end to B's end. An end comes up
// (admin up, so the NIC sees carrier) only when light flows both ways between it and its peer,
// after its own link-training delay; it goes down at once when that stops. Faults (miswire,
// dark, bandwidth cap, flap) and a ground-truth event log are served on the emulator's control
// API under /v1/plane (docs/ocs-emulator.md, "The lab plane").
//
// Threads: circuit_made/circuit_broken (the emulator's plane worker), control() (the emulator's
// io thread), the plane's own timer thread (training delays, flaps) and the host link watch's
// thread (a NIC's admin state) all take one mutex; none waits for a training delay. Under it the
// plane may take the pump's lock and the fibre-light listener's (the emulator's), never the
// other way round.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/lab/plane/event_log.hpp"
#include "tools/lab/plane/host_link_watch.hpp"
#include "tools/lab/plane/light_model.hpp"
#include "tools/lab/plane/linkwatch_pump.hpp"
#include "tools/lab/plane/netns_netlink.hpp"
#include "tools/lab/plane/plane_file.hpp"
#include "tools/lab/plane/timer_thread.hpp"
#include "tools/lab/plane/training_model.hpp"
#include "tools/ocs-emu/physical_plane.hpp"

namespace mixnet::lab {

enum class EndState { dark, training, up };
const char* to_string(EndState state);

class NetnsPlane final : public ocs_emu::PhysicalPlane {
 public:
  // Opens the plane namespace, checks every end's dev there (and that each host namespace
  // exists), adds a missing ingress qdisc, removes a redirect left by an earlier run and sets
  // every end admin down: the kernel then matches a switch with no connections. Reads every NIC
  // port's admin state and listens to them from then on (one socket per host namespace).
  static Result<std::shared_ptr<NetnsPlane>> open(PlaneFile file);
  ~NetnsPlane() override;
  NetnsPlane(const NetnsPlane&) = delete;
  NetnsPlane& operator=(const NetnsPlane&) = delete;

  [[nodiscard]] std::string name() const override { return "netns"; }
  Result<std::vector<ocs_emu::PortLight>> circuit_made(const ocs_emu::CircuitChange& change) override;
  Result<std::vector<ocs_emu::PortLight>> circuit_broken(const ocs_emu::CircuitChange& change) override;
  ocs_emu::PlaneControlReply control(std::string_view method, std::string_view target, std::string_view body) override;
  void watch_fibre_light(ocs_emu::FibreLightListener listener) override;

  // The same things in process (tests; control() is a thin layer over these).
  [[nodiscard]] nlohmann::json describe() const;                       // GET /v1/plane
  [[nodiscard]] std::vector<EndEvent> events(std::uint64_t after, std::size_t limit) const;
  [[nodiscard]] Result<EndState> state(const std::string& end) const;
  Result<void> apply_fault(const nlohmann::json& request);             // POST /v1/plane/faults
  Result<void> clear_faults(const std::optional<std::string>& end);     // DELETE /v1/plane/faults
  // The lab's line rate (`mixnet-lab shape`): a tbf on both devs of every end, at `mbit` Mbit/s
  // (1..NamespaceNetlink::kMaxRateMbit), or none. An end's cap fault wins while it is set;
  // clearing the fault brings the end back to the line rate. Every end is tried; the first error
  // is returned.
  Result<void> set_line_rate(std::optional<int> mbit);
  Result<void> put_line_rate(const nlohmann::json& request);   // PUT /v1/plane/line-rate {"mbit":N}
  [[nodiscard]] std::optional<int> line_rate() const;

 private:
  struct End {
    PlaneEnd cfg;
    int tx = 0;                                 // where its fibres sit now (a miswire moves them)
    int rx = 0;
    TrainingDelays delays;
    std::optional<std::size_t> redirect;        // the filter installed now: frames go to this end
    std::optional<std::size_t> peer;            // lit with (training or up)
    bool admin_up = false;                      // the OCS-side dev (what the NIC sees as carrier)
    bool nic_admin_up = true;                   // the NIC port itself: down, it emits nothing
    std::uint64_t generation = 0;               // bumped when a pending training is void
    std::uint64_t lit_change = 0;               // the change that lit it
    double training_ms = 0;
    // Faults.
    bool dark = false;
    std::optional<int> cap_mbit;
    std::optional<std::size_t> miswired_with;
    int flap_left = 0;
    int flap_down_ms = 0;
    int flap_up_ms = 0;
    bool flap_down_now = false;                 // in the down half of a flap
    std::uint64_t flap_generation = 0;
  };

  NetnsPlane(PlaneFile file, NamespaceNetlink netlink, std::unique_ptr<LinkwatchPump> pump,
             std::unique_ptr<HostLinkWatch> watch);
  Result<void> reset_kernel();
  Result<void> start_listening();
  // The host link watch heard a NIC port: an admin change starts or stops its end's light.
  void on_nic_link(const NicLinkState& state);
  [[nodiscard]] std::vector<EndPorts> end_ports() const;
  void publish_fibre_light(const std::vector<EndPorts>& ports);
  // Brings filters and admin state in line with the light paths and faults; logs the changes
  // with `change_id`. Returns the time the last filter change was acknowledged (or now).
  std::int64_t reconcile(std::uint64_t change_id, std::optional<Error>& first_error);
  void go_dark(std::size_t i, std::uint64_t change_id, std::int64_t light_ns, std::optional<Error>& first_error);
  void light(std::size_t i, std::size_t peer, std::uint64_t change_id, std::int64_t light_ns);
  void on_trained(std::size_t i, std::uint64_t generation);
  void flap_down(std::size_t i, std::uint64_t generation);
  void flap_up(std::size_t i, std::uint64_t generation);
  void schedule(double ms, void (NetnsPlane::*step)(std::size_t, std::uint64_t), std::size_t i, std::uint64_t gen);
  Result<void> admin(std::size_t i, bool up, std::uint64_t change_id, std::optional<double> training_ms);
  void log(std::size_t i, EndEventKind kind, std::int64_t ns, std::uint64_t change_id,
           std::optional<double> training_ms = std::nullopt);
  std::vector<ocs_emu::PortLight> lit_ports(const ocs_emu::CircuitChange& change, std::int64_t ns) const;
  Result<std::size_t> find_end(const std::string& id, const std::string& field) const;
  Result<NamespaceNetlink*> host_netlink(const std::string& netns);
  Result<void> set_cap(std::size_t i, std::optional<int> mbit);
  // What an end's two devs are limited to: its cap fault, else the line rate, else nothing.
  Result<void> apply_rate(std::size_t i);
  void swap_ports(std::size_t a, std::size_t b);
  Result<void> clear_end_faults(std::size_t i, std::optional<Error>& first_error);
  [[nodiscard]] EndState state_of(const End& e) const;
  [[nodiscard]] Result<void> failed(std::optional<Error>& first_error) const;

  PlaneFile file_;
  mutable std::mutex mutex_;
  NamespaceNetlink netlink_;
  std::map<std::string, NamespaceNetlink> host_netlink_;
  std::vector<End> ends_;
  std::optional<int> line_rate_mbit_;     // set_line_rate's, for ends without a cap fault
  LightPaths paths_;
  EventLog events_;
  std::unique_ptr<LinkwatchPump> pump_;   // null without `linkwatch_kick`; outlives the timer
  std::unique_ptr<HostLinkWatch> watch_;  // tells the pump and the plane; stopped first
  std::map<NicPort, std::vector<std::size_t>> ends_by_nic_;
  ocs_emu::FibreLightListener fibre_listener_;
  std::set<int> fibre_lit_;               // what the listener was last told
  TimerThread timer_;   // last
};

}  // namespace mixnet::lab
