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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "tools/ocs-emu/physical_plane.hpp"

namespace mixnet::ocs_emu {

inline constexpr int kMaxPorts = 576;   // per side of an NxM switch; ports of an NxCC switch
inline constexpr double kDarkDbm = -60.0;

enum class SwitchMode {
  nxm,          // inputs 1..N, outputs N+1..N+M; a connection is ingress -> egress
  any_to_any,   // NxCC: ports 1..N, any port to any other, light both ways
};

// The distribution each connection change's switching time is drawn from (seeded RNG).
struct SwitchingTime {
  enum class Kind { fixed, uniform, normal };
  Kind kind = Kind::uniform;
  double a_ms = 10.0;  // fixed: the time; uniform: low end; normal: mean
  double b_ms = 25.0;  // uniform: high end; normal: standard deviation (draws clamp at 0)

  static SwitchingTime fixed_ms(double ms) { return {Kind::fixed, ms, ms}; }
  static SwitchingTime uniform_ms(double lo, double hi) { return {Kind::uniform, lo, hi}; }
  // "0", "fixed:5", "uniform:10:25", "normal:15:2" (milliseconds); errors name "switching-time".
  static Result<SwitchingTime> parse(std::string_view text);
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] Result<void> validate() const;
};

// When an armed drop-session fault fires on a TL1 session (Polatis or Calient).
enum class DropWhen {
  before_apply,  // the command is read, then the connection is closed: nothing changes
  after_apply,   // the command is applied (switching starts), then the connection is closed
                 // before the reply: the client never sees COMPLD but the state has changed
};
std::string_view to_string(DropWhen when);
Result<DropWhen> parse_drop_when(std::string_view text);   // "before-apply" | "after-apply"

struct DropSessionFault {
  DropWhen when = DropWhen::after_apply;
  std::string verb;   // only commands with this verb (e.g. "ENT-PATCH"); empty: any command but ACT-USER
  int count = 1;      // fires on this many matching commands (any session), then disarms
  // "after-apply", "before-apply:DLT-PATCH", "after-apply:ENT-PATCH:2"
  static Result<DropSessionFault> parse(std::string_view text);
};

struct EmulatorOptions {
  // Switch shape.
  SwitchMode mode = SwitchMode::nxm;
  int inputs = 16;    // N; with any_to_any the number of ports
  int outputs = 16;   // M; ignored with any_to_any

  // Listeners. Port 0 picks a free port (the accessors say which). Each can be switched off.
  std::string bind_address = "127.0.0.1";
  bool serve_tl1 = true;
  unsigned short tl1_port = 0;       // Polatis TL1 (real switches: 3082)
  bool serve_rest = true;
  unsigned short rest_port = 0;      // Polatis RESTCONF (real switches: 8008), base path /api
  bool serve_calient = false;
  unsigned short calient_port = 0;   // Calient TL1 (real switches: 3083)
  bool serve_control = true;
  unsigned short control_port = 0;   // emulator-only control / ground-truth API
  std::optional<std::string> control_token;   // when set, the control API needs "Bearer <token>"

  // Credentials for TL1 ACT-USER and RESTCONF Basic auth.
  std::string user = "admin";
  std::string password = "root";

  // Identity (RTRV-NETYPE, product-information). An empty model is derived from the size,
  // e.g. "N-VST-16x16-EMU" or "N-VST-16xCC-EMU".
  std::string tid = "OCS-EMU";
  std::string vendor = "POLATIS";
  std::string model;
  std::string serial = "EMU-0001";
  std::string software_version = "mixnet-ocs-emu-0.1";

  // Timing.
  SwitchingTime switching{};          // default uniform 10..25 ms
  std::chrono::milliseconds reply_delay{0};   // fault: added to every reply after settling

  // Power model: a connected port reads the source's input power minus the insertion loss
  // (plus any extra loss of a weak port on the path) plus Gaussian noise; dark ports read -60.
  double input_power_dbm = 0.0;       // every port's light source, until set per port
  double insertion_loss_db = 1.5;
  double loss_noise_db = 0.1;         // standard deviation of the reading noise
  std::uint64_t seed = 1;             // one seed for switching times and noise

  // Faults active from the start (the control API and the methods below change them later).
  std::vector<int> failed_ports;
  std::map<int, double> weak_ports;   // port -> extra loss in dB
  std::optional<DropSessionFault> drop_session;

  // Limits: every input has a bound, every wait a deadline.
  std::size_t max_sessions = 64;                        // TL1 sessions per listener
  std::chrono::milliseconds session_idle_timeout{600'000};   // a silent TL1 session is closed
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_command_bytes = 64 * 1024;            // a longer TL1 command drops the session

  // The physical plane; null means NullPlane.
  std::shared_ptr<PhysicalPlane> plane;

  [[nodiscard]] Result<void> validate() const;
  [[nodiscard]] int port_count() const { return mode == SwitchMode::any_to_any ? inputs : inputs + outputs; }
};

// One connection as the switch holds it.
struct Connection {
  int from = 0;   // ingress (NxM), or the end named first (any-to-any)
  int to = 0;
  bool bidirectional = false;
  friend bool operator==(const Connection&, const Connection&) = default;
};

enum class PortStatus { enabled, disabled, failed };
std::string_view to_string(PortStatus status);   // "ENABLED", "DISABLED", "FAILED"

struct PortView {
  int port = 0;
  bool is_input = false;            // NxM: 1..N; any_to_any: always false
  PortStatus status = PortStatus::enabled;
  bool shutter_closed = false;      // OPR-PORT-SHUTTER / REST DISABLED
  bool failed = false;              // fault
  std::optional<int> connected_to;
  std::optional<double> input_dbm;  // light source at this port; nullopt: nothing plugged in
  double extra_loss_db = 0.0;       // weak-port fault
  std::string label;
};

// One entry of the ground truth: a connection change, or a port event (shutter, failure) that
// turned a settled circuit's light off or on.
struct ChangeRecord {
  std::uint64_t id = 0;
  std::uint64_t batch = 0;          // changes of one command share a batch (0: none)
  std::string kind;                 // "connect" | "disconnect" | "light-off" | "light-on"
  int from = 0;
  int to = 0;
  bool bidirectional = false;
  std::string source;               // "tl1#3", "calient#1", "rest", "control"
  std::string command;              // "ENT-PATCH ctag=7", "PUT /api/data/..."
  std::int64_t received_ns = 0;     // CLOCK_REALTIME: command received and validated
  std::int64_t switching_ns = 0;    // the drawn switching time
  std::int64_t started_ns = 0;      // switching began (later than received when the port was busy)
  std::int64_t settled_ns = 0;      // switching finished (0 while in flight)
  std::int64_t replied_ns = 0;      // the batch's reply was written (0: not yet, or dropped)
  std::vector<PortLight> light;     // from the physical plane: when light reached / left ports
  std::string plane_error;          // the physical plane's error, if it failed
};

struct Counters {
  std::uint64_t tl1_commands = 0;
  std::uint64_t tl1_denied = 0;
  std::uint64_t rest_requests = 0;
  std::uint64_t sessions_dropped = 0;   // by the drop-session fault
  std::uint64_t sessions_open = 0;      // TL1 sessions (both dialects) open now
};

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
