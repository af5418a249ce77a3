#pragma once
// mixnet-ocs-emu in process: an optical circuit switch that speaks Polatis TL1, Polatis RESTCONF
// and (when asked) Calient TL1 over real sockets, with one shared switch state, switching times,
// a power model, fault injection and a ground-truth log. The executable (main.cpp) is a thin CLI
// around this class; tests construct it directly:
//
//   mixnet::ocs_emu::EmulatorOptions o;            // ports 0: pick free ports on 127.0.0.1
//   o.switching = mixnet::ocs_emu::SwitchingTime::fixed_ms(0);
//   mixnet::ocs_emu::Emulator emu(o);
//   REQUIRE(emu.start());
//   connect to 127.0.0.1:emu.tl1_port() ... ; emu.ground_truth(); emu.stop();
//
// Every public method is safe to call from any thread while the emulator runs (the switch state
// sits behind a mutex; sockets and timers live on the emulator's own io_context thread).
//
// Protocol choices where REFERENCE.md leaves them open (docs/ocs-emulator.md has the full list):
//   TL1 DENY codes: IICM unknown command; IIAC port out of range or of the wrong side (an output
//   given as ingress); SROF port already in use, connection exists, or port FAILED (a shuttered
//   port may be connected; it stays dark); IDNV malformed input (bad list, uneven ENT-PATCH
//   lists); IENE no such Calient cross-connect; PLNA command before ACT-USER; PIUI wrong
//   user/password. Disconnecting a port that is not connected is a no-op (COMPLD), so a client
//   may name both ends of a connection in one DLT-PATCH. RTRV-PORT-SHUTTER lines are
//   "5:OPEN", "5:CLOSED" or "5:FAILED".
//   ENT-PATCH::a&b,c&d pairs the lists in order (a->c, b->d); ranges work on both sides.
//   RESTCONF: 400 invalid-value (bad body, port out of range), 401 access-denied, 404 no such
//   pair or resource, 409 in-use / data-exists / resource-denied (failed or disabled port),
//   415 unsupported media type. Port enable/disable: PATCH or PUT
//   /api/data/optical-switch:port-config/port=<id> with {"optical-switch:port":[{"port-id":5,
//   "status":"DISABLED"}]} (also the container with a port list).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "tools/ocs-emu/emulator_types.hpp"

namespace mixnet::ocs_emu {

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options);
  ~Emulator();   // stops
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Validates the options, binds every listener and starts the io_context thread. Errors name the
  // bad option or the listener that could not bind.
  Result<void> start();
  // Closes listeners and sessions, cancels timers, joins the threads. Idempotent.
  void stop();
  [[nodiscard]] bool running() const;

  [[nodiscard]] const EmulatorOptions& options() const;
  // The bound ports (0 when that listener is not served or not started).
  [[nodiscard]] unsigned short tl1_port() const;
  [[nodiscard]] unsigned short rest_port() const;
  [[nodiscard]] unsigned short calient_port() const;
  [[nodiscard]] unsigned short control_port() const;

  // --- State (snapshots) ---------------------------------------------------------------------
  [[nodiscard]] std::vector<Connection> connections() const;   // sorted by from
  [[nodiscard]] std::vector<PortView> ports() const;           // 1..port_count()
  [[nodiscard]] Result<PortView> port(int port) const;
  // What RTRV-PORT-POWER / opm-power would read now (includes noise).
  [[nodiscard]] Result<double> power_dbm(int port) const;
  // The whole state as the control API's GET /state returns it.
  [[nodiscard]] std::string state_json() const;
  [[nodiscard]] Counters counters() const;

  // Sets connections at once, bypassing the protocols (test set-up): no switching time, recorded
  // in the ground truth with source "control". Replaces everything that was connected.
  Result<void> preset(const std::vector<Connection>& connections);
  // Waits until no change is in flight (every batch settled and replied or dropped).
  bool wait_settled(std::chrono::milliseconds timeout) const;

  // --- Ground truth --------------------------------------------------------------------------
  [[nodiscard]] std::vector<ChangeRecord> ground_truth() const;          // oldest first
  [[nodiscard]] std::vector<ChangeRecord> ground_truth_since(std::uint64_t after_id) const;
  void clear_ground_truth();

  // --- Faults (also through the control API) ------------------------------------------------
  Result<void> set_port_failed(int port, bool failed);        // FAILED status; commands on it DENY
  Result<void> set_port_extra_loss(int port, double extra_db); // weak port (0 heals it)
  void set_reply_delay(std::chrono::milliseconds delay);      // every reply this much later
  void arm_drop_session(DropSessionFault fault);              // see DropSessionFault
  [[nodiscard]] int drop_session_armed() const;                // matching commands still to drop
  void clear_faults();                                         // all of the above back to normal
  Result<void> set_input_power(int port, std::optional<double> dbm);   // nullopt: nothing plugged in
  Result<void> set_switching_time(SwitchingTime switching);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::ocs_emu
