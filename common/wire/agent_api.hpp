#pragma once
// The agent API's JSON wire types, shared by the agent (which writes replies and validates
// requests) and the coordinator (which writes requests and reads replies). Validation lives here,
// free of any I/O, so the agent, its unit tests and the fuzz target run exactly the same code.
//
// Conventions: times are CLOCK_REALTIME nanoseconds (int64) in fields ending in _ns; sequence
// numbers and nonces are unsigned 64-bit JSON numbers; every request object is strict (an unknown
// key is an error that names it) and every error names the offending field, e.g.
// "add_addresses[1]" or "ports[0]".
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::wire {

// Bounds on every input; docs/agent-api.md quotes them.
inline constexpr std::uint32_t kMinMtu = 68;
inline constexpr std::uint32_t kMaxMtu = 65535;
inline constexpr std::size_t kMaxAddressesPerRequest = 32;
inline constexpr std::size_t kMaxProbePorts = 64;
inline constexpr std::uint32_t kMaxProbeCount = 16;
// POST /v1/carrier/poll: the longest window one call arms (a measurement re-arms for a longer one).
inline constexpr std::uint64_t kMaxCarrierPollMs = 600'000;
inline constexpr std::size_t kMaxCarrierPollPorts = 1024;
inline constexpr std::uint64_t kMaxWaitMs = 30'000;
inline constexpr std::uint64_t kMaxEventsPerPage = 1'000;
inline constexpr std::size_t kMaxPortName = 15;  // IFNAMSIZ - 1

// ---- replies -------------------------------------------------------------------------------

struct GidInfo {
  int index = 0;
  std::string gid;
  std::string type;    // "RoCE v2"
  std::string netdev;  // empty when the GID names no netdev
};

struct RdmaPortInfo {
  std::string device;  // "mlx5_0"
  int port = 0;
  std::string link_layer;
  int state = 0;
  std::string state_name;
  int phys_state = 0;
  std::string phys_state_name;
  std::string rate;
  std::optional<std::string> active_speed;
  std::optional<std::string> active_width;
  std::optional<std::string> fw_ver;   // the device's firmware (sysfs <device>/fw_ver); JSON null when it has
                                       // none, absent from older agents (read as null)
  std::vector<GidInfo> gids;
};

struct PortInfo {
  std::string name;
  int ifindex = 0;
  std::string mac;
  std::uint32_t mtu = 0;
  bool admin_up = false;            // JSON "admin": "up" | "down"
  std::string oper_state;
  bool carrier = false;
  std::optional<std::uint32_t> speed_mbps;  // JSON null when unknown
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  std::vector<RdmaPortInfo> rdma;   // empty when the port belongs to no RDMA device
};

struct RdmaSummary {
  bool available = false;           // any RDMA device on the host
  std::string note;                 // plain words, e.g. "no RDMA devices (/sys/class/infiniband is absent)"
};

struct Inventory {
  std::string host_id;
  std::int64_t time_ns = 0;
  std::vector<std::string> managed_patterns;  // the --ports list
  std::vector<PortInfo> ports;
  RdmaSummary rdma;
};

struct LinkEvent {
  std::uint64_t seq = 0;
  std::int64_t time_ns = 0;          // when the agent read the event from the kernel
  std::string kind;                  // link_up, link_down, admin_up, admin_down, oper_state, added,
                                     // removed, neighbor, rdma_port_active, rdma_port_err,
                                     // rdma_gid_change, rdma_device_fatal, rdma_other
  std::string port;
  int ifindex = 0;
  std::string source;                // "netlink", "netlink-resync" (after an overrun), "rdma"
  bool admin_up = false;
  bool carrier = false;
  std::string oper_state;
  std::string previous_oper;         // only for oper_state events
  std::string rdma_device;           // only for rdma_* events
  int rdma_port = 0;
  std::string detail;                // rdma_other: the raw event name
  // neighbor: who the port heard at the far end of its cable or circuit (its hello or answer)
  std::string neighbor_host;         // the far end's host id
  std::string neighbor_port;         // its port
  std::string neighbor_mac;
};

struct EventsPage {
  std::string instance;              // changes whenever the agent restarts (sequence numbers restart)
  std::vector<LinkEvent> events;
  std::uint64_t next_after = 0;      // pass as after= in the next read
  std::uint64_t missed = 0;          // events the reader asked for that the bounded journal dropped
  std::uint64_t first_seq = 0;       // oldest sequence number still held (last_seq + 1 when empty)
  std::uint64_t last_seq = 0;        // newest sequence number assigned (0: none yet)
  bool timed_out = false;            // the wait bound passed with nothing new
};

struct Neighbor {
  std::string host_id;               // who sent the probe
  std::string port;                  // from which of its ports
  std::string mac;                   // the frame's source MAC
  std::uint64_t last_nonce = 0;
  std::int64_t last_send_time_ns = 0;     // sender's clock
  std::int64_t last_receive_time_ns = 0;  // our clock
  std::int64_t first_seen_ns = 0;
  std::uint64_t count = 0;
};

struct PortNeighbors {
  std::string port;
  std::uint64_t probes_received = 0;
  std::vector<Neighbor> neighbors;   // most recently seen first
};

struct NeighborsReply {
  std::string host_id;
  std::int64_t time_ns = 0;
  std::vector<PortNeighbors> ports;
};

struct ProbeSent {
  std::string port;
  std::uint32_t sent = 0;
  std::int64_t first_send_time_ns = 0;
  std::int64_t last_send_time_ns = 0;
  std::string error;                 // empty on success
};

struct ProbeResult {
  std::string host_id;
  std::uint64_t nonce = 0;
  std::vector<ProbeSent> ports;
};

struct ConfigureResult {
  std::vector<std::string> applied;  // what changed, in order: "mtu 9000", "add 198.18.0.1/24", "admin up"
  PortInfo port;                     // the port as the kernel reports it afterwards
};

struct ClockReply {
  std::int64_t realtime_ns = 0;
};

// POST /v1/carrier/poll's answer: the ports whose carrier counters are now read every period_us,
// until until_ns (CLOCK_REALTIME; a later call may extend it). Outside such a window the agent
// reads nothing: carrier changes are then stamped from netlink alone.
struct CarrierPollReply {
  std::vector<std::string> ports;
  std::int64_t until_ns = 0;
  std::uint32_t period_us = 0;
};

struct Health {
  std::string status = "ok";
  std::string host_id;
  std::string version;
};

// ---- requests ------------------------------------------------------------------------------

struct ConfigureRequest {
  std::optional<bool> admin_up;                // "admin": "up" | "down"
  std::optional<std::uint32_t> mtu;            // 68..65535
  std::vector<std::string> add_addresses;      // normalized CIDR
  std::vector<std::string> remove_addresses;   // normalized CIDR
  [[nodiscard]] bool empty() const {
    return !admin_up && !mtu && add_addresses.empty() && remove_addresses.empty();
  }
};

struct ProbeRequest {
  std::vector<std::string> ports;       // empty: every managed port
  std::uint32_t count = 1;              // 1..kMaxProbeCount frames per port
  std::optional<std::uint64_t> nonce;   // chosen by the agent when absent
};

struct CarrierPollRequest {
  std::vector<std::string> ports;       // empty: every managed port the poller follows
  std::uint64_t duration_ms = 0;        // 1..kMaxCarrierPollMs, required
};

struct EventsQuery {
  std::uint64_t after = 0;
  std::uint64_t wait_ms = 0;            // 0..kMaxWaitMs; 0 answers at once
  std::uint64_t limit = kMaxEventsPerPage;
};

struct NeighborsQuery {
  std::optional<std::string> port;
  std::optional<std::uint64_t> nonce;   // only neighbours whose last probe carried this nonce
};

// ---- validation ----------------------------------------------------------------------------

// A Linux netdev name: 1..15 bytes, not "." or "..", no '/', ':', whitespace or control bytes.
Result<std::string> validate_port_name(std::string_view name, std::string_view field);

// Addresses (add_addresses, remove_addresses) are checked by mixnet::normalize_cidr (common/cidr.hpp).

Result<ConfigureRequest> parse_configure_request(const nlohmann::json& body);
Result<ProbeRequest> parse_probe_request(const nlohmann::json& body);
Result<EventsQuery> parse_events_query(const std::map<std::string, std::string>& query);
Result<NeighborsQuery> parse_neighbors_query(const std::map<std::string, std::string>& query);

// Parses raw request bytes as a JSON object first (errors name "body"), then as above.
Result<ConfigureRequest> parse_configure_body(std::string_view body);
Result<ProbeRequest> parse_probe_body(std::string_view body);
Result<CarrierPollRequest> parse_carrier_poll_body(std::string_view body);

// ---- JSON ------------------------------------------------------------------------------------
// to_json for every type; from_json for replies (the coordinator reads them) throws
// nlohmann::json exceptions like any from_json; decode() turns those into a Result.

void to_json(nlohmann::json& j, const GidInfo& v);
void to_json(nlohmann::json& j, const RdmaPortInfo& v);
void to_json(nlohmann::json& j, const PortInfo& v);
void to_json(nlohmann::json& j, const RdmaSummary& v);
void to_json(nlohmann::json& j, const Inventory& v);
void to_json(nlohmann::json& j, const LinkEvent& v);
void to_json(nlohmann::json& j, const EventsPage& v);
void to_json(nlohmann::json& j, const Neighbor& v);
void to_json(nlohmann::json& j, const PortNeighbors& v);
void to_json(nlohmann::json& j, const NeighborsReply& v);
void to_json(nlohmann::json& j, const ProbeSent& v);
void to_json(nlohmann::json& j, const ProbeResult& v);
void to_json(nlohmann::json& j, const ConfigureResult& v);
void to_json(nlohmann::json& j, const ClockReply& v);
void to_json(nlohmann::json& j, const Health& v);
void to_json(nlohmann::json& j, const ConfigureRequest& v);
void to_json(nlohmann::json& j, const ProbeRequest& v);
void to_json(nlohmann::json& j, const CarrierPollRequest& v);
void to_json(nlohmann::json& j, const CarrierPollReply& v);

void from_json(const nlohmann::json& j, GidInfo& v);
void from_json(const nlohmann::json& j, RdmaPortInfo& v);
void from_json(const nlohmann::json& j, PortInfo& v);
void from_json(const nlohmann::json& j, RdmaSummary& v);
void from_json(const nlohmann::json& j, Inventory& v);
void from_json(const nlohmann::json& j, LinkEvent& v);
void from_json(const nlohmann::json& j, EventsPage& v);
void from_json(const nlohmann::json& j, Neighbor& v);
void from_json(const nlohmann::json& j, PortNeighbors& v);
void from_json(const nlohmann::json& j, NeighborsReply& v);
void from_json(const nlohmann::json& j, ProbeSent& v);
void from_json(const nlohmann::json& j, ProbeResult& v);
void from_json(const nlohmann::json& j, ConfigureResult& v);
void from_json(const nlohmann::json& j, ClockReply& v);
void from_json(const nlohmann::json& j, Health& v);
void from_json(const nlohmann::json& j, CarrierPollReply& v);

// Reads a reply type from JSON; a shape mismatch is Errc::protocol naming what was decoded.
template <class T>
Result<T> decode(const nlohmann::json& j, std::string_view what);

}  // namespace mixnet::wire
