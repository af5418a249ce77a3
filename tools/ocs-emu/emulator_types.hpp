#pragma once
// The emulator's vocabulary: the switch's shape, options, faults and what its state and ground
// truth are made of. Everything below the Emulator class uses these and nothing more: the switch
// model (switch_model.hpp), the protocol services (TL1, RESTCONF, control) and the lab's physical
// plane (tools/lab/plane), so none of them includes the emulator itself (emulator.hpp: sockets,
// threads, timers). Validation and parsing live in options.cpp.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/wire/ground_truth.hpp"
#include "tools/ocs-emu/physical_plane.hpp"

namespace boost::asio::ssl {
class context;
}

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
  // Set: RESTCONF is served over HTTPS with this context (--tls-cert/--tls-key, as real Polatis
  // switches serve HTTPS); unset: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> rest_tls;
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
  // At either cap the oldest session not logged in, then the oldest idle one, is closed for the
  // newcomer (common/connection_table.hpp); a newcomer is refused only when all are busy.
  std::size_t max_sessions = 64;                        // TL1 sessions per listener
  std::size_t max_sessions_per_source = 16;             // TL1 sessions per listener from one address
  std::chrono::milliseconds login_timeout{5'000};       // a session not logged in must send its next command within this
  std::chrono::milliseconds session_idle_timeout{600'000};   // a silent logged-in TL1 session is closed
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

// One entry of the ground truth, as the control API reports it (GET /v1/changes): the wire type
// itself, so the emulator records exactly what it reports.
using ChangeRecord = wire::ChangeRecord;

struct Counters {
  std::uint64_t tl1_commands = 0;
  std::uint64_t tl1_denied = 0;
  std::uint64_t rest_requests = 0;
  std::uint64_t sessions_dropped = 0;   // by the drop-session fault
  std::uint64_t sessions_open = 0;      // TL1 sessions (both dialects) open now
};

}  // namespace mixnet::ocs_emu
