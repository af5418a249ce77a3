#pragma once
// The switch itself, free of any I/O: commanded connections, the physical (settled) light paths,
// switching times, the power model, faults and the ground-truth log. The protocol front ends
// (TL1, RESTCONF, control API) and the fuzz target drive it through the same calls; the emulator
// keeps one instance behind a mutex and arms one timer at next_settle_mono().
//
// Time is passed in (realtime and monotonic ns), so tests and the fuzz target can run it without
// clocks or threads.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tools/ocs-emu/emulator_types.hpp"

namespace mixnet::ocs_emu {

// Why a command was refused; each front end maps it to its own code (TL1 DENY code, HTTP status).
enum class Reject {
  syntax,          // malformed input                      TL1 IDNV   HTTP 400 invalid-value
  out_of_range,    // no such port                         TL1 IIAC   HTTP 400 invalid-value
  wrong_side,      // NxM: an output as ingress or v.v.    TL1 IIAC   HTTP 400 invalid-value
  in_use,          // the port is connected already        TL1 SROF   HTTP 409 in-use
  port_failed,     // fault: the port has failed           TL1 SROF   HTTP 409 resource-denied
  not_found,       // no such connection / resource        TL1 IENE   HTTP 404 invalid-value
  exists,          // that connection exists already       TL1 SROF   HTTP 409 data-exists
};

struct Rejection {
  Reject reason = Reject::syntax;
  std::string message;
};

template <class T>
using ModelResult = std::expected<T, Rejection>;

struct Now {
  std::int64_t real_ns = 0;   // CLOCK_REALTIME
  std::int64_t mono_ns = 0;   // CLOCK_MONOTONIC
  static Now read();
};

// A requested change set: disconnects first (by either end; an unconnected port is a no-op),
// then connects. Validated as a whole: either all of it is applied or none.
struct ChangeRequest {
  std::vector<int> disconnect;
  std::vector<Connection> connect;
  std::string source;    // "tl1#3", "rest", ...
  std::string command;   // for the ground truth
  // Calient: a connect creates an entry that needs activate() before it switches.
  bool connect_inactive = false;
  std::string group;      // Calient GRPNAME
  std::string conn_type;  // Calient CONNTYPE ("2WAY" / "1WAY"), empty for Polatis
};

struct Batch {
  std::uint64_t id = 0;            // 0: nothing to switch (reply at once)
  std::int64_t settle_mono_ns = 0; // when the slowest change settles
  std::vector<std::uint64_t> records;
};

// One thing for the physical plane to do, in order.
struct PlaneAction {
  bool made = false;
  CircuitChange change;
  std::uint64_t batch = 0;
};

// A commanded connection, as the protocols list it.
struct ConnectionEntry {
  Connection conn;
  bool active = true;      // Calient: entered but not yet activated -> false (ports reserved)
  std::string group;       // Calient GRPNAME ("SYSTEM" for connections made over Polatis/REST)
  std::string conn_type;   // "2WAY" / "1WAY"
};

class SwitchModel {
 public:
  explicit SwitchModel(const EmulatorOptions& options);

  // --- Shape ---
  [[nodiscard]] SwitchMode mode() const { return mode_; }
  [[nodiscard]] int inputs() const { return inputs_; }
  [[nodiscard]] int outputs() const { return outputs_; }
  [[nodiscard]] int port_count() const { return static_cast<int>(ports_.size()) - 1; }
  [[nodiscard]] bool valid_port(int p) const { return p >= 1 && p <= port_count(); }
  [[nodiscard]] bool is_input(int p) const { return mode_ == SwitchMode::nxm && p >= 1 && p <= inputs_; }
  [[nodiscard]] std::string size_text() const;   // "16x16", "16xCC"
  [[nodiscard]] const EmulatorOptions& options() const { return options_; }

  // --- Connections ---
  ModelResult<Batch> apply(const ChangeRequest& request, Now now);
  // Calient ACT-CRS / CANC-CRS on an entered connection (identified by its from port).
  ModelResult<Batch> activate(int from, int to, bool active, const std::string& source, const std::string& command,
                              Now now);
  // Test set-up: replace every connection at once, settled, no switching time.
  ModelResult<void> preset(const std::vector<Connection>& connections, Now now);

  [[nodiscard]] std::vector<ConnectionEntry> entries() const;        // every entry, sorted by from
  [[nodiscard]] std::vector<Connection> connections() const;         // active ones only
  [[nodiscard]] std::optional<ConnectionEntry> entry_of(int port) const;  // the entry through a port

  // --- Settling: the emulator arms a timer for next_settle_mono() and calls settle_due() ---
  [[nodiscard]] std::optional<std::int64_t> next_settle_mono() const;
  void settle_due(Now now);
  // The plane finished an action: record its light times (or error) against the change.
  void plane_done(const PlaneAction& action, const Result<std::vector<PortLight>>& result);
  // Outboxes, drained by the emulator after each call.
  std::vector<PlaneAction> take_plane_actions();
  std::vector<std::uint64_t> take_completed_batches();
  [[nodiscard]] bool batch_complete(std::uint64_t batch) const;
  [[nodiscard]] std::size_t batches_in_flight() const { return open_batches_.size(); }
  void mark_replied(std::uint64_t batch, std::int64_t real_ns);
  // A session dropped with the batch still open: nobody will reply.
  void forget_batch_reply(std::uint64_t batch);

  // --- Ports ---
  [[nodiscard]] PortView port_view(int p) const;
  ModelResult<void> set_shutter(const std::vector<int>& ports, bool closed, Now now);
  ModelResult<void> set_label(int port, std::string label);
  ModelResult<void> set_input_power(int port, std::optional<double> dbm);
  // The physical plane's word on which ports receive light from their fibres (an emitting
  // transmitter sits there; PhysicalPlane::watch_fibre_light): those get the source power
  // (--input-power-dbm), every other port none. From the first call on, an NxM input reads the
  // light arriving from its fibre whether or not it is connected (its monitor sits before the
  // switch core), so a transmitter's light shows where it lands.
  void set_fibre_light(const std::set<int>& lit_ports);
  // The reading at a port now (with noise): a lit path gives source power minus losses.
  [[nodiscard]] double power_dbm(int p);
  // Calient RTRV-PORT-SUM: light entering the switch at the port, and leaving it.
  [[nodiscard]] double input_power_reading(int p);
  [[nodiscard]] bool port_passes_light(int p) const;

  // --- Faults ---
  ModelResult<void> set_port_failed(int port, bool failed, Now now);
  ModelResult<void> set_port_extra_loss(int port, double extra_db);
  void set_reply_delay(std::chrono::milliseconds delay) { reply_delay_ = delay; }
  [[nodiscard]] std::chrono::milliseconds reply_delay() const { return reply_delay_; }
  void arm_drop_session(DropSessionFault fault);
  [[nodiscard]] int drop_session_armed() const { return drop_ ? drop_->count : 0; }
  [[nodiscard]] const std::optional<DropSessionFault>& drop_session() const { return drop_; }
  // A logged-in TL1 command with this verb arrived: fire the armed drop fault if it matches.
  std::optional<DropWhen> take_drop(const std::string& verb);
  void clear_faults(Now now);
  ModelResult<void> set_switching_time(SwitchingTime switching);
  [[nodiscard]] const SwitchingTime& switching_time() const { return switching_; }

  // --- Ground truth ---
  [[nodiscard]] std::vector<ChangeRecord> records_since(std::uint64_t after_id, std::size_t limit) const;
  [[nodiscard]] std::uint64_t last_record_id() const { return next_record_ - 1; }
  void clear_records();

  Counters counters;   // front ends count into it

 private:
  struct PortState {
    bool shutter_closed = false;
    bool failed = false;
    double extra_loss_db = 0.0;
    std::optional<double> input_dbm;
    std::string label;
    std::optional<int> entry_from;       // the key of the commanded entry through this port
    std::optional<int> physical_from;    // the key of the settled light path through this port
    std::int64_t busy_until_mono = 0;    // the port's mirror is moving until then
  };
  struct Physical {                      // a settled light path (mirror set), keyed by from
    int to = 0;
    bool bidirectional = false;
    bool lit = false;
  };
  struct Pending {                       // a change waiting to settle
    std::int64_t settle_mono = 0;
    std::uint64_t record = 0;
    std::uint64_t batch = 0;
    bool connect = false;
    Connection conn;
    std::int64_t received_ns = 0;
    std::int64_t received_mono = 0;
    bool operator>(const Pending& o) const {
      return settle_mono != o.settle_mono ? settle_mono > o.settle_mono : record > o.record;
    }
  };
  struct OpenBatch {
    std::size_t remaining = 0;           // changes not settled + plane calls not done
    bool reply_pending = true;
    std::vector<std::uint64_t> records;
  };

  ModelResult<void> check_port(int p) const;
  ModelResult<void> validate(const ChangeRequest& request) const;
  std::int64_t schedule(bool connect, const Connection& c, std::uint64_t batch, const std::string& source,
                        const std::string& command, Now now);
  std::uint64_t add_record(ChangeRecord r);
  void remove_entry(int from);
  void add_entry(const ConnectionEntry& e);
  bool set_physical(const Connection& c, Now now, std::uint64_t record, std::uint64_t batch, const std::string& reason);
  bool clear_physical(int from, int to, Now now, std::uint64_t record, std::uint64_t batch, const std::string& reason);
  std::optional<int> source_for(int port) const;   // the port whose light leaves at this one
  ChangeRecord* record(std::uint64_t id);
  void refresh_light(int port, Now now, const std::string& reason);
  void finish_change(std::uint64_t batch);
  std::int64_t draw_switching_ns();
  double noise();
  double through_power(int source, int dest);
  // The light arriving at an ingress from its fibre: its source less its own extra loss, noisy.
  double arriving_power(int port);

  EmulatorOptions options_;
  SwitchMode mode_;
  int inputs_ = 0;
  int outputs_ = 0;
  std::vector<PortState> ports_;                 // index 0 unused
  std::map<int, ConnectionEntry> entries_;       // commanded, keyed by from
  std::map<int, Physical> physical_;             // settled mirror positions, keyed by from
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  std::map<std::uint64_t, OpenBatch> open_batches_;
  std::vector<PlaneAction> plane_out_;
  std::vector<std::uint64_t> completed_out_;
  std::deque<ChangeRecord> records_;
  std::uint64_t next_record_ = 1;
  std::uint64_t next_batch_ = 1;
  SwitchingTime switching_;
  std::chrono::milliseconds reply_delay_{0};
  std::optional<DropSessionFault> drop_;
  bool has_plane_ = false;
  bool fibre_light_known_ = false;   // set_fibre_light was called: inputs read their fibre's light
  std::mt19937_64 rng_;
  static constexpr std::size_t kMaxRecords = 200'000;
};

}  // namespace mixnet::ocs_emu
