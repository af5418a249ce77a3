#include "tests/coordinator/support/coord_lab.hpp"

#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

namespace mixnet::testing {

CoordLab::CoordLab() { coord_ns = net.add_namespace(); }

// Agents stop before the fixture removes their namespaces (members go in reverse order, but the
// hosts' agents are inside hosts_, declared after net: stop them explicitly first anyway).
CoordLab::~CoordLab() {
  for (auto& h : hosts_) h->agent.reset();
}

LabHost& CoordLab::add_host(const std::string& name, std::vector<LabPort> ports) {
  auto h = std::make_unique<LabHost>();
  h->name = name;
  h->ports = std::move(ports);
  h->ns = net.add_namespace();
  const int i = static_cast<int>(hosts_.size());
  if (i >= 15) throw std::runtime_error("CoordLab: at most 15 hosts");
  const std::string subnet = "198.19." + std::to_string(240 + i) + ".";
  const std::string coord_if = "mgc" + std::to_string(i);
  net.add_veth(coord_ns, coord_if, h->ns, "mg0");
  net.ip(coord_ns, "addr add " + subnet + "1/24 dev " + coord_if);
  net.ip(h->ns, "addr add " + subnet + "2/24 dev mg0");
  h->mgmt_address = subnet + "2";
  hosts_.push_back(std::move(h));
  return *hosts_.back();
}

void CoordLab::cable(const std::string& host_a, const std::string& port_a, const std::string& host_b, const std::string& port_b) {
  net.add_veth(host(host_a).ns, port_a, host(host_b).ns, port_b);
}

void CoordLab::start_agents() {
  for (auto& h : hosts_) {
    std::string ports;
    for (const auto& p : h->ports) ports += (ports.empty() ? "" : ",") + p.name;
    h->agent = std::make_unique<AgentProcess>(net, h->ns, h->name + "-agent", ports,
                                              std::vector<std::string>{"--listen", "0.0.0.0:" + std::to_string(kAgentPort)});
    const std::string token_path = dir_.path() + "/" + h->name + ".token";
    std::ofstream(token_path) << h->agent->token() << "\n";
    ::chmod(token_path.c_str(), 0600);
  }
}

LabHost& CoordLab::host(const std::string& name) {
  for (auto& h : hosts_) {
    if (h->name == name) return *h;
  }
  throw std::runtime_error("CoordLab: no host " + name);
}

std::string CoordLab::ip(const std::string& host_name, const std::string& args) { return net.ip(host(host_name).ns, args); }

std::string CoordLab::inventory_yaml(const std::string& switch_uri) const {
  std::string y = "version: 1\nname: coord-io-test\nhosts:\n";
  for (const auto& h : hosts_) {
    y += "  - name: " + h->name + "\n";
    y += "    agent: {url: \"http://" + h->mgmt_address + ":" + std::to_string(kAgentPort) + "\", token_file: " + h->name +
         ".token}\n";
    y += "    ports:\n";
    for (const auto& p : h->ports) {
      y += "      - name: " + p.name + "\n";
      y += "        ocs: {switch: ocs1, " + p.cabling + "}\n";
      if (!p.extra.empty()) y += "        " + p.extra + "\n";
    }
  }
  y += "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"" + switch_uri + "\"\n";
  return y;
}

}  // namespace mixnet::testing
