#pragma once
// The inventory (docs/inventory.md): hosts, their agents, every NIC port and what it is cabled
// to, and the switches. Plain data, read once by read_inventory() and then shared read-only by
// the engine and every module.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/rdma_expect.hpp"
#include "coordinator/model/scheduler_config.hpp"

namespace mixnet::coord {

// "h1:ocs0": a NIC port named by its host and its netdev name.
struct PortRef {
  std::string host;
  std::string port;
  [[nodiscard]] std::string str() const { return host + ":" + port; }
  // Errors name what is wrong: "expected HOST:PORT, got 'h1'".
  static Result<PortRef> parse(std::string_view text);
  friend bool operator==(const PortRef&, const PortRef&) = default;
  friend auto operator<=>(const PortRef&, const PortRef&) = default;
};

// A port cabled to an OCS. Switch port numbers are strings, written as the switch names them
// ("7" on a Polatis, "1.1.1" on a Calient). Its map is tx and rx, or port, or neither: the
// inventory may say only which switch the port is on (`ocs: {switch: S}`) and leave the switch
// ports to `mixnet-coord cabling discover`; the reader never lets one of tx/rx stand alone.
struct OcsCabling {
  std::string switch_name;
  std::optional<std::string> tx;    // NxM: the switch input the NIC's TX fibre lands on
  std::optional<std::string> rx;    // NxM: the switch output the NIC's RX fibre comes from
  std::optional<std::string> port;  // any-to-any switch or BiDi optics: the one port
  [[nodiscard]] bool duplex_port() const { return port.has_value(); }
  // Whether the switch ports are known (tx and rx, or port). Every user of tx, rx or port that
  // needs them fails with unmapped_cabling_error() (unmapped_cabling.hpp) when they are not.
  [[nodiscard]] bool mapped() const { return port.has_value() || (tx.has_value() && rx.has_value()); }
  friend bool operator==(const OcsCabling&, const OcsCabling&) = default;
};

struct EpsCabling {
  std::string switch_name;
  std::optional<std::string> port;
};

struct PortExpect {
  std::optional<std::int64_t> speed_mbps;
  std::optional<int> mtu;
};

struct HostPort {
  std::string name;                  // netdev name on the host
  std::optional<std::string> address;  // "198.18.1.10/16"
  std::optional<std::string> mac;      // lower case "02:00:c6:12:01:0a"
  std::optional<OcsCabling> ocs;
  std::optional<EpsCabling> eps;
  PortExpect expect;
  std::optional<RdmaExpect> rdma;    // `rdma:` given: the port belongs to an RDMA device, as described
  int line = 0;                      // where it was written, for messages

  // The address without its prefix length ("198.18.1.10"), for a peer to connect to.
  [[nodiscard]] std::optional<std::string> ip() const {
    if (!address) return std::nullopt;
    return address->substr(0, address->find('/'));
  }
};

struct AgentRef {
  std::string url;                   // http(s)://ADDR:PORT
  std::string token_file;            // absolute path (resolved against the inventory's folder); empty = none
  // https only: the CA bundle the agent's certificate is verified against, absolute; its own
  // `agent.ca_file`, else the inventory's `tls.agent_ca_file`; empty: the system's trust store.
  std::string ca_file;
};

struct Host {
  std::string name;
  int gpus = 0;
  AgentRef agent;
  std::vector<HostPort> ports;
  int line = 0;
  [[nodiscard]] const HostPort* find_port(std::string_view port_name) const;
};

enum class SwitchKind { ocs, eps };
std::string_view to_string(SwitchKind kind);

struct GroundTruth {
  std::string url;
  std::string token_file;            // absolute path; empty = none
};

// Optical power thresholds of an OCS (docs/inventory.md, docs/health/power.md). Every key is
// optional: a port's own entry (Switch::power_ports) overrides the switch's, key by key, and the
// check's defaults fill the rest (coordinator/health/optical_power.hpp).
struct OcsPowerThresholds {
  std::optional<double> min_input_dbm;   // light arriving at an input below this: critical
  std::optional<double> warn_input_dbm;  // below this: warning
  std::optional<double> max_loss_db;     // a circuit losing more, input to output: critical
  std::optional<double> warn_loss_db;    // more than this: warning
  std::optional<double> dark_dbm;        // at or below: no light at all
  int line = 0;
};

struct Switch {
  std::string name;
  SwitchKind kind = SwitchKind::ocs;
  // OCS only: the reconfiguration region it serves (MixNet: up to 8 servers per region, each
  // region with its own OCS). A topology may be confined to one region (docs/playbooks.md). The
  // file's `region:`, or the switch's own name when it has none.
  std::string region;
  std::string uri;                   // OCS only: open_switch() URI; password-file paths as written
  std::vector<std::string> alt_uris;
  std::optional<GroundTruth> ground_truth;
  std::optional<OcsPowerThresholds> power;                 // OCS only
  std::map<std::string, OcsPowerThresholds> power_ports;   // OCS only: switch port -> its own thresholds
  int line = 0;
};

// `tls:`: what every https:// agent is verified against unless it names its own CA (docs/tls.md).
struct TlsDefaults {
  std::string agent_ca_file;         // absolute path
  // Mutual TLS: the client certificate (PEM) the coordinator presents to every https:// agent,
  // and its key (owner-only, checked when the pool is made). Both or neither; absolute paths.
  std::string client_cert_file;
  std::string client_key_file;
};

struct LabInfo {
  std::string dir;
  std::optional<std::int64_t> seed;
  std::string profile;
};

struct Inventory {
  int version = 1;
  std::string name;
  std::string path;                  // the file it was read from ("" when parsed from text)
  std::vector<Host> hosts;
  std::vector<Switch> switches;
  std::optional<LabInfo> lab;
  std::optional<TlsDefaults> tls;
  std::optional<SchedulerConfig> scheduler;   // `scheduler:`: the job scheduler the health check tells

  [[nodiscard]] const Host* find_host(std::string_view host_name) const;
  [[nodiscard]] const Switch* find_switch(std::string_view switch_name) const;
  // The OCS switches' regions, each once, in inventory order.
  [[nodiscard]] std::vector<std::string> regions() const;
  [[nodiscard]] bool has_region(std::string_view region) const;
  // The port "h1:ocs0" names, or an error naming the unknown host or port.
  [[nodiscard]] Result<const HostPort*> find_port(const PortRef& ref) const;
  // The ports cabled to an OCS, mapped or not, host by host in inventory order; those on
  // `switch_name` only when it is given.
  [[nodiscard]] std::vector<PortRef> ocs_ports(std::optional<std::string_view> switch_name = std::nullopt) const;
  // The same, only those without their map (`ocs: {switch: S}` alone): what discovery must find
  // before a topology can be applied through them.
  [[nodiscard]] std::vector<PortRef> unmapped_ocs_ports(std::optional<std::string_view> switch_name = std::nullopt) const;
};

// Reads and validates an inventory. Every error names file:line and the key path:
// "inventory.yaml:23: hosts[1].ports[2].ocs.tx: ...". `base_dir` resolves relative token files;
// the text overload is for tests and for inventories that are not files.
Result<Inventory> read_inventory(const std::string& path);
Result<Inventory> parse_inventory(std::string_view yaml_text, const std::string& display_name,
                                  const std::string& base_dir);

}  // namespace mixnet::coord
