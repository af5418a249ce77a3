#include "common/wire/agent_api.hpp"
#include "common/cidr.hpp"
#include "common/wire/json_fields.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace mixnet::wire {

using nlohmann::json;

namespace {

using fields::as_uint;
using fields::indexed;
using fields::only_keys;
using fields::parse_object;

Result<std::vector<std::string>> address_list(const json& body, std::string_view field) {
  std::vector<std::string> out;
  const auto it = body.find(field);
  if (it == body.end()) return out;
  if (!it->is_array()) return fail(Errc::invalid_argument, "must be an array of CIDR strings", std::string(field));
  if (it->size() > kMaxAddressesPerRequest) {
    return fail(Errc::invalid_argument, "at most " + std::to_string(kMaxAddressesPerRequest) + " addresses",
                std::string(field));
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& a = (*it)[i];
    const std::string f = indexed(field, i);
    if (!a.is_string()) return fail(Errc::invalid_argument, "must be a string such as \"198.18.0.1/24\"", f);
    auto cidr = normalize_cidr(a.get_ref<const std::string&>(), f);
    if (!cidr) return std::unexpected(cidr.error());
    if (!seen.insert(*cidr).second) return fail(Errc::invalid_argument, "duplicate address " + *cidr, f);
    out.push_back(std::move(*cidr));
  }
  return out;
}

template <class T>
void get_optional(const json& j, const char* key, std::optional<T>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
  } else {
    out = it->get<T>();
  }
}

}  // namespace

// ---- validation ----------------------------------------------------------------------------

Result<std::string> validate_port_name(std::string_view name, std::string_view field) {
  const std::string f(field);
  if (name.empty()) return fail(Errc::invalid_argument, "port name is empty", f);
  if (name.size() > kMaxPortName) {
    return fail(Errc::invalid_argument, "port name longer than " + std::to_string(kMaxPortName) + " bytes", f);
  }
  if (name == "." || name == "..") return fail(Errc::invalid_argument, "not a port name", f);
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == ':' || u <= 0x20 || u == 0x7f) {
      return fail(Errc::invalid_argument, "port name contains '/', ':', whitespace or a control byte", f);
    }
  }
  return std::string(name);
}

Result<ConfigureRequest> parse_configure_request(const json& body) {
  if (!body.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  if (auto r = only_keys(body, {"admin", "mtu", "add_addresses", "remove_addresses"}); !r) {
    return std::unexpected(r.error());
  }
  ConfigureRequest req;
  if (const auto it = body.find("admin"); it != body.end()) {
    if (!it->is_string()) return fail(Errc::invalid_argument, "must be \"up\" or \"down\"", "admin");
    const auto& s = it->get_ref<const std::string&>();
    if (s == "up") req.admin_up = true;
    else if (s == "down") req.admin_up = false;
    else return fail(Errc::invalid_argument, "must be \"up\" or \"down\"", "admin");
  }
  if (const auto it = body.find("mtu"); it != body.end()) {
    auto mtu = as_uint(*it, "mtu", kMinMtu, kMaxMtu);
    if (!mtu) return std::unexpected(mtu.error());
    req.mtu = static_cast<std::uint32_t>(*mtu);
  }
  auto add = address_list(body, "add_addresses");
  if (!add) return std::unexpected(add.error());
  auto remove = address_list(body, "remove_addresses");
  if (!remove) return std::unexpected(remove.error());
  for (std::size_t i = 0; i < remove->size(); ++i) {
    for (const auto& a : *add) {
      if (a == (*remove)[i]) {
        return fail(Errc::invalid_argument, a + " is both added and removed", indexed("remove_addresses", i));
      }
    }
  }
  req.add_addresses = std::move(*add);
  req.remove_addresses = std::move(*remove);
  if (req.empty()) {
    return fail(Errc::invalid_argument, "nothing to change: give admin, mtu, add_addresses or remove_addresses",
                "body");
  }
  return req;
}

namespace {

// body["ports"] when present: at most `max` distinct valid port names; errors name "ports[i]".
Result<void> read_port_names(const json& body, std::size_t max, std::vector<std::string>& out) {
  const auto it = body.find("ports");
  if (it == body.end()) return {};
  if (!it->is_array()) return fail(Errc::invalid_argument, "must be an array of port names", "ports");
  if (it->size() > max) return fail(Errc::invalid_argument, "at most " + std::to_string(max) + " ports", "ports");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string f = indexed("ports", i);
    if (!(*it)[i].is_string()) return fail(Errc::invalid_argument, "must be a port name", f);
    auto name = validate_port_name((*it)[i].get_ref<const std::string&>(), f);
    if (!name) return std::unexpected(name.error());
    if (!seen.insert(*name).second) return fail(Errc::invalid_argument, "duplicate port " + *name, f);
    out.push_back(std::move(*name));
  }
  return {};
}

}  // namespace

Result<ProbeRequest> parse_probe_request(const json& body) {
  if (!body.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  if (auto r = only_keys(body, {"ports", "count", "nonce"}); !r) return std::unexpected(r.error());
  ProbeRequest req;
  if (auto r = read_port_names(body, kMaxProbePorts, req.ports); !r) return std::unexpected(r.error());
  if (const auto it = body.find("count"); it != body.end()) {
    auto count = as_uint(*it, "count", 1, kMaxProbeCount);
    if (!count) return std::unexpected(count.error());
    req.count = static_cast<std::uint32_t>(*count);
  }
  if (const auto it = body.find("nonce"); it != body.end()) {
    auto nonce = as_uint(*it, "nonce", 0, UINT64_MAX);
    if (!nonce) return std::unexpected(nonce.error());
    req.nonce = *nonce;
  }
  return req;
}

Result<EventsQuery> parse_events_query(const std::map<std::string, std::string>& query) {
  EventsQuery q;
  for (const auto& [key, value] : query) {
    if (key == "after") {
      auto v = fields::query_number(key, value, UINT64_MAX);
      if (!v) return std::unexpected(v.error());
      q.after = *v;
    } else if (key == "wait_ms") {
      auto v = fields::query_number(key, value, kMaxWaitMs);
      if (!v) return std::unexpected(v.error());
      q.wait_ms = *v;
    } else if (key == "limit") {
      auto v = fields::query_number(key, value, kMaxEventsPerPage);
      if (!v) return std::unexpected(v.error());
      if (*v == 0) return fail(Errc::invalid_argument, "must be at least 1", key);
      q.limit = *v;
    } else {
      return fail(Errc::invalid_argument, "unknown query parameter (accepted: after, wait_ms, limit)",
                  fields::shown_key(key));
    }
  }
  return q;
}

Result<NeighborsQuery> parse_neighbors_query(const std::map<std::string, std::string>& query) {
  NeighborsQuery q;
  for (const auto& [key, value] : query) {
    if (key == "port") {
      auto name = validate_port_name(value, "port");
      if (!name) return std::unexpected(name.error());
      q.port = std::move(*name);
    } else if (key == "nonce") {
      auto v = fields::query_number(key, value, UINT64_MAX);
      if (!v) return std::unexpected(v.error());
      q.nonce = *v;
    } else {
      return fail(Errc::invalid_argument, "unknown query parameter (accepted: port, nonce)", fields::shown_key(key));
    }
  }
  return q;
}

Result<ConfigureRequest> parse_configure_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  return parse_configure_request(*j);
}

Result<ProbeRequest> parse_probe_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  return parse_probe_request(*j);
}

Result<CarrierPollRequest> parse_carrier_poll_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  if (auto r = only_keys(*j, {"ports", "duration_ms"}); !r) return std::unexpected(r.error());
  CarrierPollRequest req;
  if (auto r = read_port_names(*j, kMaxCarrierPollPorts, req.ports); !r) return std::unexpected(r.error());
  if (auto r = fields::read_uint(*j, "", "duration_ms", 1, kMaxCarrierPollMs, req.duration_ms, true); !r) {
    return std::unexpected(r.error());
  }
  return req;
}

// ---- to_json -------------------------------------------------------------------------------

void to_json(json& j, const GidInfo& v) {
  j = json{{"index", v.index}, {"gid", v.gid}, {"type", v.type}, {"netdev", v.netdev}};
}

void to_json(json& j, const RdmaPortInfo& v) {
  j = json{{"device", v.device},
           {"port", v.port},
           {"link_layer", v.link_layer},
           {"state", v.state},
           {"state_name", v.state_name},
           {"phys_state", v.phys_state},
           {"phys_state_name", v.phys_state_name},
           {"rate", v.rate},
           {"active_speed", v.active_speed ? json(*v.active_speed) : json(nullptr)},
           {"active_width", v.active_width ? json(*v.active_width) : json(nullptr)},
           {"fw_ver", v.fw_ver ? json(*v.fw_ver) : json(nullptr)},
           {"gids", v.gids}};
}

void to_json(json& j, const PortInfo& v) {
  j = json{{"name", v.name},
           {"ifindex", v.ifindex},
           {"mac", v.mac},
           {"mtu", v.mtu},
           {"admin", v.admin_up ? "up" : "down"},
           {"oper_state", v.oper_state},
           {"carrier", v.carrier},
           {"speed_mbps", v.speed_mbps ? json(*v.speed_mbps) : json(nullptr)},
           {"ipv4", v.ipv4},
           {"ipv6", v.ipv6},
           {"rdma", v.rdma}};
}

void to_json(json& j, const RdmaSummary& v) { j = json{{"available", v.available}, {"note", v.note}}; }

void to_json(json& j, const Inventory& v) {
  j = json{{"host_id", v.host_id},
           {"time_ns", v.time_ns},
           {"managed_patterns", v.managed_patterns},
           {"ports", v.ports},
           {"rdma", v.rdma}};
}

void to_json(json& j, const LinkEvent& v) {
  j = json{{"seq", v.seq},     {"time_ns", v.time_ns},   {"kind", v.kind},         {"port", v.port},
           {"ifindex", v.ifindex}, {"source", v.source}, {"admin", v.admin_up ? "up" : "down"},
           {"carrier", v.carrier}, {"oper_state", v.oper_state}};
  if (!v.previous_oper.empty()) j["previous_oper"] = v.previous_oper;
  if (!v.rdma_device.empty()) {
    j["rdma_device"] = v.rdma_device;
    j["rdma_port"] = v.rdma_port;
  }
  if (!v.detail.empty()) j["detail"] = v.detail;
  if (!v.neighbor_host.empty()) {
    j["neighbor"] = json{{"host_id", v.neighbor_host}, {"port", v.neighbor_port}, {"mac", v.neighbor_mac}};
  }
}

void to_json(json& j, const EventsPage& v) {
  j = json{{"instance", v.instance}, {"events", v.events},       {"next_after", v.next_after},
           {"missed", v.missed},     {"first_seq", v.first_seq}, {"last_seq", v.last_seq},
           {"timed_out", v.timed_out}};
}

void to_json(json& j, const Neighbor& v) {
  j = json{{"host_id", v.host_id},
           {"port", v.port},
           {"mac", v.mac},
           {"last_nonce", v.last_nonce},
           {"last_send_time_ns", v.last_send_time_ns},
           {"last_receive_time_ns", v.last_receive_time_ns},
           {"first_seen_ns", v.first_seen_ns},
           {"count", v.count}};
}

void to_json(json& j, const PortNeighbors& v) {
  j = json{{"port", v.port}, {"probes_received", v.probes_received}, {"neighbors", v.neighbors}};
}

void to_json(json& j, const NeighborsReply& v) {
  j = json{{"host_id", v.host_id}, {"time_ns", v.time_ns}, {"ports", v.ports}};
}

void to_json(json& j, const ProbeSent& v) {
  j = json{{"port", v.port},
           {"sent", v.sent},
           {"first_send_time_ns", v.first_send_time_ns},
           {"last_send_time_ns", v.last_send_time_ns}};
  if (!v.error.empty()) j["error"] = v.error;
}

void to_json(json& j, const ProbeResult& v) {
  j = json{{"host_id", v.host_id}, {"nonce", v.nonce}, {"ports", v.ports}};
}

void to_json(json& j, const ConfigureResult& v) { j = json{{"applied", v.applied}, {"port", v.port}}; }

void to_json(json& j, const ClockReply& v) { j = json{{"realtime_ns", v.realtime_ns}}; }

void to_json(json& j, const CarrierPollRequest& v) {
  j = json{{"duration_ms", v.duration_ms}};
  if (!v.ports.empty()) j["ports"] = v.ports;
}

void to_json(json& j, const CarrierPollReply& v) {
  j = json{{"ports", v.ports}, {"until_ns", v.until_ns}, {"period_us", v.period_us}};
}

void to_json(json& j, const Health& v) {
  j = json{{"status", v.status}, {"host_id", v.host_id}, {"version", v.version}};
}

void to_json(json& j, const ConfigureRequest& v) {
  j = json::object();
  if (v.admin_up) j["admin"] = *v.admin_up ? "up" : "down";
  if (v.mtu) j["mtu"] = *v.mtu;
  if (!v.add_addresses.empty()) j["add_addresses"] = v.add_addresses;
  if (!v.remove_addresses.empty()) j["remove_addresses"] = v.remove_addresses;
}

void to_json(json& j, const ProbeRequest& v) {
  j = json{{"ports", v.ports}, {"count", v.count}};
  if (v.nonce) j["nonce"] = *v.nonce;
}

// ---- from_json (replies) -------------------------------------------------------------------

void from_json(const json& j, GidInfo& v) {
  j.at("index").get_to(v.index);
  j.at("gid").get_to(v.gid);
  j.at("type").get_to(v.type);
  j.at("netdev").get_to(v.netdev);
}

void from_json(const json& j, RdmaPortInfo& v) {
  j.at("device").get_to(v.device);
  j.at("port").get_to(v.port);
  j.at("link_layer").get_to(v.link_layer);
  j.at("state").get_to(v.state);
  j.at("state_name").get_to(v.state_name);
  j.at("phys_state").get_to(v.phys_state);
  j.at("phys_state_name").get_to(v.phys_state_name);
  j.at("rate").get_to(v.rate);
  get_optional(j, "active_speed", v.active_speed);
  get_optional(j, "active_width", v.active_width);
  get_optional(j, "fw_ver", v.fw_ver);
  j.at("gids").get_to(v.gids);
}

void from_json(const json& j, PortInfo& v) {
  j.at("name").get_to(v.name);
  j.at("ifindex").get_to(v.ifindex);
  j.at("mac").get_to(v.mac);
  j.at("mtu").get_to(v.mtu);
  v.admin_up = j.at("admin").get<std::string>() == "up";
  j.at("oper_state").get_to(v.oper_state);
  j.at("carrier").get_to(v.carrier);
  get_optional(j, "speed_mbps", v.speed_mbps);
  j.at("ipv4").get_to(v.ipv4);
  j.at("ipv6").get_to(v.ipv6);
  j.at("rdma").get_to(v.rdma);
}

void from_json(const json& j, RdmaSummary& v) {
  j.at("available").get_to(v.available);
  j.at("note").get_to(v.note);
}

void from_json(const json& j, Inventory& v) {
  j.at("host_id").get_to(v.host_id);
  j.at("time_ns").get_to(v.time_ns);
  j.at("managed_patterns").get_to(v.managed_patterns);
  j.at("ports").get_to(v.ports);
  j.at("rdma").get_to(v.rdma);
}

void from_json(const json& j, LinkEvent& v) {
  j.at("seq").get_to(v.seq);
  j.at("time_ns").get_to(v.time_ns);
  j.at("kind").get_to(v.kind);
  j.at("port").get_to(v.port);
  j.at("ifindex").get_to(v.ifindex);
  j.at("source").get_to(v.source);
  v.admin_up = j.at("admin").get<std::string>() == "up";
  j.at("carrier").get_to(v.carrier);
  j.at("oper_state").get_to(v.oper_state);
  v.previous_oper = j.value("previous_oper", std::string{});
  v.rdma_device = j.value("rdma_device", std::string{});
  v.rdma_port = j.value("rdma_port", 0);
  v.detail = j.value("detail", std::string{});
  if (const auto n = j.find("neighbor"); n != j.end()) {
    n->at("host_id").get_to(v.neighbor_host);
    n->at("port").get_to(v.neighbor_port);
    v.neighbor_mac = n->value("mac", std::string{});
  }
}

void from_json(const json& j, EventsPage& v) {
  j.at("instance").get_to(v.instance);
  j.at("events").get_to(v.events);
  j.at("next_after").get_to(v.next_after);
  j.at("missed").get_to(v.missed);
  j.at("first_seq").get_to(v.first_seq);
  j.at("last_seq").get_to(v.last_seq);
  j.at("timed_out").get_to(v.timed_out);
}

void from_json(const json& j, Neighbor& v) {
  j.at("host_id").get_to(v.host_id);
  j.at("port").get_to(v.port);
  j.at("mac").get_to(v.mac);
  j.at("last_nonce").get_to(v.last_nonce);
  j.at("last_send_time_ns").get_to(v.last_send_time_ns);
  j.at("last_receive_time_ns").get_to(v.last_receive_time_ns);
  j.at("first_seen_ns").get_to(v.first_seen_ns);
  j.at("count").get_to(v.count);
}

void from_json(const json& j, PortNeighbors& v) {
  j.at("port").get_to(v.port);
  j.at("probes_received").get_to(v.probes_received);
  j.at("neighbors").get_to(v.neighbors);
}

void from_json(const json& j, NeighborsReply& v) {
  j.at("host_id").get_to(v.host_id);
  j.at("time_ns").get_to(v.time_ns);
  j.at("ports").get_to(v.ports);
}

void from_json(const json& j, ProbeSent& v) {
  j.at("port").get_to(v.port);
  j.at("sent").get_to(v.sent);
  j.at("first_send_time_ns").get_to(v.first_send_time_ns);
  j.at("last_send_time_ns").get_to(v.last_send_time_ns);
  v.error = j.value("error", std::string{});
}

void from_json(const json& j, ProbeResult& v) {
  j.at("host_id").get_to(v.host_id);
  j.at("nonce").get_to(v.nonce);
  j.at("ports").get_to(v.ports);
}

void from_json(const json& j, ConfigureResult& v) {
  j.at("applied").get_to(v.applied);
  j.at("port").get_to(v.port);
}

void from_json(const json& j, ClockReply& v) { j.at("realtime_ns").get_to(v.realtime_ns); }

void from_json(const json& j, CarrierPollReply& v) {
  j.at("ports").get_to(v.ports);
  j.at("until_ns").get_to(v.until_ns);
  j.at("period_us").get_to(v.period_us);
}

void from_json(const json& j, Health& v) {
  j.at("status").get_to(v.status);
  j.at("host_id").get_to(v.host_id);
  j.at("version").get_to(v.version);
}

template <class T>
Result<T> decode(const json& j, std::string_view what) {
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    return fail(Errc::protocol, "malformed " + std::string(what) + ": " + e.what(), std::string(what));
  }
}

template Result<Inventory> decode<Inventory>(const json&, std::string_view);
template Result<PortInfo> decode<PortInfo>(const json&, std::string_view);
template Result<EventsPage> decode<EventsPage>(const json&, std::string_view);
template Result<NeighborsReply> decode<NeighborsReply>(const json&, std::string_view);
template Result<ProbeResult> decode<ProbeResult>(const json&, std::string_view);
template Result<ConfigureResult> decode<ConfigureResult>(const json&, std::string_view);
template Result<ClockReply> decode<ClockReply>(const json&, std::string_view);
template Result<Health> decode<Health>(const json&, std::string_view);
template Result<CarrierPollReply> decode<CarrierPollReply>(const json&, std::string_view);

}  // namespace mixnet::wire
