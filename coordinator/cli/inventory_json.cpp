#include "coordinator/cli/inventory_json.hpp"

namespace mixnet::coord {

namespace {

nlohmann::json power_json(const OcsPowerThresholds& t) {
  nlohmann::json j = nlohmann::json::object();
  if (t.min_input_dbm) j["min_input_dbm"] = *t.min_input_dbm;
  if (t.warn_input_dbm) j["warn_input_dbm"] = *t.warn_input_dbm;
  if (t.max_loss_db) j["max_loss_db"] = *t.max_loss_db;
  if (t.warn_loss_db) j["warn_loss_db"] = *t.warn_loss_db;
  if (t.dark_dbm) j["dark_dbm"] = *t.dark_dbm;
  return j;
}

nlohmann::json rdma_json(const RdmaExpect& r) {
  nlohmann::json j = nlohmann::json::object();
  if (r.device) j["device"] = *r.device;
  if (r.port) j["port"] = *r.port;
  if (r.fw_ver) j["fw_ver"] = *r.fw_ver;
  if (r.link_layer) j["link_layer"] = *r.link_layer;
  if (!r.gids.empty()) j["gids"] = r.gids;
  if (r.gid_count) j["gid_count"] = *r.gid_count;
  return j;
}

}  // namespace

nlohmann::json ocs_cabling_json(const OcsCabling& cabling) {
  nlohmann::json c = {{"switch", cabling.switch_name}};
  if (cabling.port) c["port"] = *cabling.port;
  if (cabling.tx) c["tx"] = *cabling.tx;
  if (cabling.rx) c["rx"] = *cabling.rx;
  return c;
}

namespace {

nlohmann::json port_json(const Host& h, const HostPort& p) {
  nlohmann::json port = {{"name", p.name}, {"ref", h.name + ":" + p.name}};
  if (p.address) port["address"] = *p.address;
  if (p.mac) port["mac"] = *p.mac;
  if (p.ocs) {
    nlohmann::json c = ocs_cabling_json(*p.ocs);
    c["mapped"] = p.ocs->mapped();
    port["ocs"] = c;
  }
  if (p.eps) {
    nlohmann::json c = {{"switch", p.eps->switch_name}};
    if (p.eps->port) c["port"] = *p.eps->port;
    port["eps"] = c;
  }
  if (p.expect.speed_mbps) port["expect"]["speed_mbps"] = *p.expect.speed_mbps;
  if (p.expect.mtu) port["expect"]["mtu"] = *p.expect.mtu;
  if (p.rdma) port["rdma"] = rdma_json(*p.rdma);
  return port;
}

nlohmann::json switch_json(const Switch& s) {
  nlohmann::json sw = {{"name", s.name}, {"kind", to_string(s.kind)}};
  if (s.kind != SwitchKind::ocs) return sw;
  sw["region"] = s.region;
  sw["uri"] = s.uri;
  sw["alt_uris"] = s.alt_uris;
  if (s.ground_truth) sw["ground_truth"] = {{"url", s.ground_truth->url}, {"token_file", s.ground_truth->token_file}};
  if (s.power) sw["power"] = power_json(*s.power);
  if (!s.power_ports.empty()) {
    // Each port's own keys, as written: the switch's `power` fills the rest (docs/health/power.md).
    auto ports = nlohmann::json::object();
    for (const auto& [port, t] : s.power_ports) ports[port] = power_json(t);
    sw["power_ports"] = ports;
  }
  return sw;
}

}  // namespace

nlohmann::json inventory_json(const Inventory& inv) {
  auto hosts = nlohmann::json::array();
  for (const auto& h : inv.hosts) {
    auto ports = nlohmann::json::array();
    for (const auto& p : h.ports) ports.push_back(port_json(h, p));
    nlohmann::json agent = {{"url", h.agent.url}, {"token_file", h.agent.token_file}};
    if (!h.agent.ca_file.empty()) agent["ca_file"] = h.agent.ca_file;
    hosts.push_back({{"name", h.name}, {"gpus", h.gpus}, {"agent", agent}, {"ports", ports}});
  }
  auto switches = nlohmann::json::array();
  for (const auto& s : inv.switches) switches.push_back(switch_json(s));
  nlohmann::json out = {{"version", inv.version}, {"name", inv.name}, {"path", inv.path}, {"hosts", hosts}, {"switches", switches}};
  if (inv.lab) {
    out["lab"] = {{"dir", inv.lab->dir}, {"profile", inv.lab->profile}};
    if (inv.lab->seed) out["lab"]["seed"] = *inv.lab->seed;
  }
  if (inv.tls) out["tls"] = {{"agent_ca_file", inv.tls->agent_ca_file}};
  return out;
}

}  // namespace mixnet::coord
