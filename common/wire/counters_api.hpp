#pragma once
// GET /v1/counters (docs/agent-api.md, "Port counters"): every managed port's counters as the
// kernel keeps them, read at one moment, with the host's boot id so that a reader comparing two
// replies can tell a reboot (every counter restarted) from a port whose counters went backwards
// (driver reload) or simply grew.
//
// A counter the agent could not read (file missing on this kernel or driver, read error, not a
// number) is absent, with the reason, never 0: a 0 would read as "no errors since boot".
//
// The reply is produced by the agent and read by the coordinator; parse_counters_reply is strict
// and names the field it refuses ("ports[1].ib.counters.symbol_error").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.hpp"

namespace mixnet::wire {

inline constexpr std::size_t kMaxCounterPorts = 1024;
inline constexpr std::size_t kMaxCountersPerSet = 256;
// The netdev counter of carrier transitions (flaps), in PortCounters::netdev.
inline constexpr const char* kCarrierChangesCounter = "carrier_changes";

// Why a counter has no value. `missing`: the file does not exist (this kernel or driver does not
// keep the counter, or the port vanished); `unreadable`: it exists but could not be read or did
// not hold a count.
enum class Absence { none, missing, unreadable };
std::string_view to_string(Absence a);

// One counter as read: a value, or why there is none.
struct CounterReading {
  std::optional<std::uint64_t> value;
  Absence absence = Absence::none;   // none exactly when value is set
  std::string why;                   // when !value: the reason in words ("read ...: Permission denied")

  static CounterReading of(std::uint64_t v) { return CounterReading{v, Absence::none, {}}; }
  static CounterReading absent(Absence a, std::string why) { return CounterReading{std::nullopt, a, std::move(why)}; }
};

// Counter name -> reading, in name order. Names are the kernel's file names, except the IB
// data counters, which are given in octets (see IbPortCounters).
using CounterSet = std::map<std::string, CounterReading>;

// The kernel's IB port counters (<sysfs>/class/infiniband/DEV/ports/N/counters/) of the RDMA port
// whose GIDs name this netdev. port_xmit_data and port_rcv_data count octets divided by 4; they
// are given here multiplied back, as port_xmit_octets and port_rcv_octets.
struct IbPortCounters {
  std::string device;        // "mlx5_0"
  std::uint32_t port = 0;    // 1-based
  CounterSet counters;
};

struct PortCounters {
  std::string name;                  // the netdev, "ens1f0"
  std::optional<std::uint32_t> ifindex;  // changes when the netdev is re-created (driver reload)
  CounterSet netdev;                 // statistics/* and carrier_changes
  std::optional<IbPortCounters> ib;  // absent: no RDMA device on this port
};

struct CountersReply {
  std::string host_id;
  std::string boot_id;               // /proc/sys/kernel/random/boot_id; changes with every boot
  std::int64_t time_ns = 0;          // CLOCK_REALTIME when the counters were read
  std::vector<PortCounters> ports;   // managed ports, in name order
};

void to_json(nlohmann::json& j, const CounterReading& v);
void to_json(nlohmann::json& j, const IbPortCounters& v);
void to_json(nlohmann::json& j, const PortCounters& v);
void to_json(nlohmann::json& j, const CountersReply& v);

// The strict reader of a reply: unknown keys, wrong types, duplicate ports and out-of-range
// values are Errc::protocol naming the field.
Result<CountersReply> parse_counters_reply(const nlohmann::json& j);

}  // namespace mixnet::wire
