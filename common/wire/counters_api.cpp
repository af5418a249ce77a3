#include "common/wire/counters_api.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "common/wire/json_fields.hpp"

namespace mixnet::wire {

using nlohmann::json;

namespace {

using fields::indexed;
using fields::joined;
using fields::only_keys;

constexpr std::size_t kMaxName = 128;       // netdev, RDMA device and counter names are short
constexpr std::size_t kMaxReason = 512;
constexpr std::size_t kMaxBootId = 64;      // a UUID is 36 characters

Result<std::string> read_string(const json& body, std::string_view prefix, const char* key, std::size_t max,
                                bool allow_empty) {
  const std::string field = joined(prefix, key);
  const auto it = body.find(key);
  if (it == body.end()) return fail(Errc::invalid_argument, "required", field);
  if (!it->is_string()) return fail(Errc::invalid_argument, "must be a string", field);
  const auto& s = it->get_ref<const std::string&>();
  if (!allow_empty && s.empty()) return fail(Errc::invalid_argument, "must not be empty", field);
  if (s.size() > max) return fail(Errc::invalid_argument, "longer than " + std::to_string(max) + " characters", field);
  return s;
}

// A counter is a number, or {"absent": "missing"|"unreadable", "why": reason}.
Result<CounterReading> read_reading(const json& v, const std::string& field) {
  if (v.is_number_integer()) {
    auto n = fields::as_uint(v, field, 0, UINT64_MAX);
    if (!n) return std::unexpected(n.error());
    return CounterReading::of(*n);
  }
  if (!v.is_object()) {
    return fail(Errc::invalid_argument, "must be a count or {\"absent\": \"missing\"|\"unreadable\", \"why\": ...}", field);
  }
  if (auto ok = only_keys(v, {"absent", "why"}, field); !ok) return std::unexpected(ok.error());
  auto kind = read_string(v, field, "absent", kMaxName, false);
  if (!kind) return std::unexpected(kind.error());
  Absence absence = Absence::none;
  if (*kind == "missing") absence = Absence::missing;
  else if (*kind == "unreadable") absence = Absence::unreadable;
  else return fail(Errc::invalid_argument, "must be \"missing\" or \"unreadable\"", joined(field, "absent"));
  auto why = read_string(v, field, "why", kMaxReason, true);
  if (!why) return std::unexpected(why.error());
  return CounterReading::absent(absence, std::move(*why));
}

Result<CounterSet> read_set(const json& body, std::string_view prefix, const char* key) {
  const std::string field = joined(prefix, key);
  const auto it = body.find(key);
  if (it == body.end()) return fail(Errc::invalid_argument, "required", field);
  if (!it->is_object()) return fail(Errc::invalid_argument, "must be an object of counters", field);
  if (it->size() > kMaxCountersPerSet) {
    return fail(Errc::invalid_argument, "more than " + std::to_string(kMaxCountersPerSet) + " counters", field);
  }
  CounterSet out;
  for (const auto& [name, v] : it->items()) {
    const std::string counter_field = joined(field, fields::shown_key(name));
    if (name.empty() || name.size() > kMaxName) {
      return fail(Errc::invalid_argument, "a counter name must be 1.." + std::to_string(kMaxName) + " characters",
                  counter_field);
    }
    auto reading = read_reading(v, counter_field);
    if (!reading) return std::unexpected(reading.error());
    out.emplace(name, std::move(*reading));
  }
  return out;
}

Result<IbPortCounters> read_ib(const json& v, const std::string& field) {
  if (!v.is_object()) return fail(Errc::invalid_argument, "must be an object {device, port, counters}", field);
  if (auto ok = only_keys(v, {"device", "port", "counters"}, field); !ok) return std::unexpected(ok.error());
  IbPortCounters ib;
  auto device = read_string(v, field, "device", kMaxName, false);
  if (!device) return std::unexpected(device.error());
  ib.device = std::move(*device);
  if (auto ok = fields::read_uint(v, field, "port", 1, 255, ib.port, true); !ok) return std::unexpected(ok.error());
  auto counters = read_set(v, field, "counters");
  if (!counters) return std::unexpected(counters.error());
  ib.counters = std::move(*counters);
  return ib;
}

Result<PortCounters> read_port(const json& v, const std::string& field) {
  if (!v.is_object()) return fail(Errc::invalid_argument, "must be an object {name, netdev, ib}", field);
  if (auto ok = only_keys(v, {"name", "ifindex", "netdev", "ib"}, field); !ok) return std::unexpected(ok.error());
  PortCounters port;
  auto name = read_string(v, field, "name", kMaxName, false);
  if (!name) return std::unexpected(name.error());
  port.name = std::move(*name);
  if (const auto ifindex = v.find("ifindex"); ifindex != v.end() && !ifindex->is_null()) {
    auto n = fields::as_uint(*ifindex, joined(field, "ifindex"), 1, UINT32_MAX);
    if (!n) return std::unexpected(n.error());
    port.ifindex = static_cast<std::uint32_t>(*n);
  }
  auto netdev = read_set(v, field, "netdev");
  if (!netdev) return std::unexpected(netdev.error());
  port.netdev = std::move(*netdev);
  if (const auto ib = v.find("ib"); ib != v.end() && !ib->is_null()) {
    auto parsed = read_ib(*ib, joined(field, "ib"));
    if (!parsed) return std::unexpected(parsed.error());
    port.ib = std::move(*parsed);
  }
  return port;
}

Result<CountersReply> read_reply(const json& j) {
  if (!j.is_object()) return fail(Errc::invalid_argument, "the counters reply must be a JSON object", "body");
  if (auto ok = only_keys(j, {"host_id", "boot_id", "time_ns", "ports"}); !ok) return std::unexpected(ok.error());
  CountersReply reply;
  auto host = read_string(j, "", "host_id", kMaxName, true);
  if (!host) return std::unexpected(host.error());
  reply.host_id = std::move(*host);
  auto boot = read_string(j, "", "boot_id", kMaxBootId, false);
  if (!boot) return std::unexpected(boot.error());
  reply.boot_id = std::move(*boot);
  std::uint64_t time_ns = 0;
  if (auto ok = fields::read_uint(j, "", "time_ns", 1, INT64_MAX, time_ns, true); !ok) return std::unexpected(ok.error());
  reply.time_ns = static_cast<std::int64_t>(time_ns);
  const auto ports = j.find("ports");
  if (ports == j.end()) return fail(Errc::invalid_argument, "required", "ports");
  if (!ports->is_array() || ports->size() > kMaxCounterPorts) {
    return fail(Errc::invalid_argument, "must be an array of at most " + std::to_string(kMaxCounterPorts) + " ports",
                "ports");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ports->size(); ++i) {
    const std::string field = indexed("ports", i);
    auto port = read_port((*ports)[i], field);
    if (!port) return std::unexpected(port.error());
    if (!seen.insert(port->name).second) {
      return fail(Errc::invalid_argument, "port '" + port->name + "' appears twice", field + ".name");
    }
    reply.ports.push_back(std::move(*port));
  }
  return reply;
}

}  // namespace

std::string_view to_string(Absence a) {
  switch (a) {
    case Absence::none: return "none";
    case Absence::missing: return "missing";
    case Absence::unreadable: return "unreadable";
  }
  return "unreadable";
}

void to_json(json& j, const CounterReading& v) {
  if (v.value) {
    j = *v.value;
    return;
  }
  // A reading without a value is never "none": say unreadable rather than invent a reason.
  const Absence a = v.absence == Absence::none ? Absence::unreadable : v.absence;
  j = json{{"absent", to_string(a)}, {"why", v.why}};
}

void to_json(json& j, const IbPortCounters& v) {
  j = json{{"device", v.device}, {"port", v.port}, {"counters", v.counters}};
}

void to_json(json& j, const PortCounters& v) {
  j = json{{"name", v.name}, {"ifindex", nullptr}, {"netdev", v.netdev}, {"ib", nullptr}};
  if (v.ifindex) j["ifindex"] = *v.ifindex;
  if (v.ib) j["ib"] = *v.ib;
}

void to_json(json& j, const CountersReply& v) {
  j = json{{"host_id", v.host_id}, {"boot_id", v.boot_id}, {"time_ns", v.time_ns}, {"ports", v.ports}};
}

Result<CountersReply> parse_counters_reply(const json& j) {
  auto reply = read_reply(j);
  if (!reply) {
    // A reply is the agent's answer, not our input: a shape we refuse is a protocol error.
    Error e = reply.error();
    e.code = Errc::protocol;
    return std::unexpected(std::move(e));
  }
  return reply;
}

}  // namespace mixnet::wire
