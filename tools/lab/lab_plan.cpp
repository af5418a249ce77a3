#include "tools/lab/lab_plan.hpp"

#include <numeric>
#include <random>

namespace mixnet::lab {

namespace {

// Uniform in [0, bound) from 64 random bits (bias < bound / 2^64: irrelevant at these sizes).
std::size_t below(std::mt19937_64& rng, std::size_t bound) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(rng()) * bound) >> 64);
}

std::vector<int> shuffled(std::mt19937_64& rng, int first, int count) {
  std::vector<int> v(static_cast<std::size_t>(count));
  std::iota(v.begin(), v.end(), first);
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(rng, i)]);
  return v;
}

bool is_identity(const std::vector<Fibre>& f, const SwitchSize& s) {
  for (std::size_t k = 0; k < f.size(); ++k) {
    const int want_tx = static_cast<int>(k) + 1;
    if (s.any_to_any ? f[k].port != want_tx : (f[k].tx != want_tx || f[k].rx != s.inputs + want_tx)) return false;
  }
  return true;
}

}  // namespace

std::string lab_prefix(const std::string& name) { return "mxl-" + name + "-"; }
std::string host_netns(const std::string& lab_name, const std::string& host) { return lab_prefix(lab_name) + host; }
std::string eps_netns(const std::string& lab_name) { return lab_prefix(lab_name) + "eps"; }
std::string eps_peer_dev(int host_index, int eps_index) {
  return "h" + std::to_string(host_index) + "e" + std::to_string(eps_index);
}

std::vector<Fibre> draw_cabling(const SwitchSize& size, int nic_ports, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (;;) {  // redraws only when a draw is the identity (certain only for a single port on a 1x1)
    std::vector<Fibre> out(static_cast<std::size_t>(nic_ports));
    if (size.any_to_any) {
      const auto ports = shuffled(rng, 1, size.inputs);
      for (std::size_t k = 0; k < out.size(); ++k) out[k].port = ports[k];
    } else {
      const auto ins = shuffled(rng, 1, size.inputs);
      const auto outs = shuffled(rng, size.inputs + 1, size.outputs);
      for (std::size_t k = 0; k < out.size(); ++k) {
        out[k].tx = ins[k];
        out[k].rx = outs[k];
      }
    }
    const bool only_one_way = nic_ports <= 1 && (size.any_to_any ? size.inputs : std::min(size.inputs, size.outputs)) <= 1;
    if (nic_ports == 0 || only_one_way || !is_identity(out, size)) return out;
  }
}

// Region 1 keeps the lab's seed (a one-region lab is cabled as before regions); the others get
// seeds of their own, mixed (splitmix64's constant) so that neighbouring lab seeds do not share
// regions' cablings.
std::uint64_t region_seed(std::uint64_t seed, int region) {
  return region == 1 ? seed : seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(region));
}

std::vector<std::string> LabPlan::namespaces() const {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.netns);
  for (const auto& r : regions) out.push_back(r.netns);
  out.push_back(eps_netns);
  out.push_back(mgmt_netns);
  return out;
}

LabPlan make_plan(const LabConfig& config, int mgmt_octet) {
  LabPlan p;
  p.config = config;
  p.dir = config.dir.empty() ? default_dir(config.name) : config.dir;
  p.prefix = lab_prefix(config.name);
  p.eps_netns = eps_netns(config.name);
  p.mgmt_netns = p.prefix + "mgmt";
  p.root_link = p.prefix + "m";
  p.mgmt_octet = mgmt_octet;
  const std::string mgmt = "198.19." + std::to_string(mgmt_octet) + ".";
  p.root_address = mgmt + "1/24";
  const int regions = region_count(config);
  for (int r = 1; r <= regions; ++r) {
    PlanRegion region;
    const std::string suffix = regions == 1 ? "" : std::to_string(r);
    region.switch_name = "ocs" + std::to_string(r);
    region.netns = p.prefix + "ocs" + suffix;
    region.plane_file = regions == 1 ? "plane.json" : "plane-ocs" + suffix + ".json";
    region.log_file = regions == 1 ? "logs/ocs-emu.log" : "logs/ocs-emu-ocs" + suffix + ".log";
    region.serial = region.netns;
    region.seed = region_seed(config.seed, r);
    region.size = effective_switch_size(config, hosts_in_region(config, r));
    p.regions.push_back(std::move(region));
  }

  const int per_region = effective_hosts_per_region(config);
  std::vector<Fibre> fibres;
  std::size_t next_fibre = 0;
  int eps_port = 1;
  for (int i = 1; i <= config.hosts; ++i) {
    PlanHost h;
    h.region = static_cast<std::size_t>((i - 1) / per_region);
    PlanRegion& region = p.regions[h.region];
    if ((i - 1) % per_region == 0) {   // the region's first host: its cabling, drawn on its own switch
      const int nic_ports = hosts_in_region(config, static_cast<int>(h.region) + 1) * config.ocs_ports;
      fibres = draw_cabling(region.size, nic_ports, region.seed);
      next_fibre = 0;
    }
    region.hosts.push_back(static_cast<std::size_t>(i - 1));
    h.name = "h" + std::to_string(i);
    h.netns = host_netns(config.name, h.name);
    h.mgmt_address = mgmt + std::to_string(9 + i);
    h.mgmt_peer = h.name;
    int table = 100;
    for (int j = 0; j < config.ocs_ports; ++j) {
      PlanPort port;
      port.dev = "ocs" + std::to_string(j);
      port.ocs = true;
      port.address = "198.18." + std::to_string(j + 1) + "." + std::to_string(i) + "/16";
      port.subnet = "198.18.0.0/16";
      port.table = table++;
      port.peer_dev = "o" + std::to_string(i) + "p" + std::to_string(j);
      const Fibre& f = fibres[next_fibre++];
      port.tx = f.tx;
      port.rx = f.rx;
      port.port = f.port;
      h.ports.push_back(port);
    }
    for (int j = 0; j < config.eps_ports; ++j) {
      PlanPort port;
      port.dev = "eps" + std::to_string(j);
      port.address = "198.19." + std::to_string(j) + "." + std::to_string(i) + "/20";
      port.subnet = "198.19.0.0/20";
      port.table = table++;
      port.peer_dev = eps_peer_dev(i, j);
      port.port = eps_port++;
      h.ports.push_back(port);
    }
    p.hosts.push_back(std::move(h));
  }
  return p;
}

}  // namespace mixnet::lab
