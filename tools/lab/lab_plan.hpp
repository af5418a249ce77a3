#pragma once
// The lab as data, before anything exists: namespace and link names, addresses and the shuffled
// cabling. Everything follows from the config, the seed and the management subnet, so the same
// inputs give the same lab (tests rely on it; so does `down`, which can rebuild names from a name).
//
// Naming (every name starts with the lab prefix "mxl-<name>-"):
//   namespaces  mxl-<name>-h<i> (host i), mxl-<name>-ocs (OCS-side veth ends; with several
//               regions one per region, mxl-<name>-ocs<r>),
//               mxl-<name>-eps (the electrical switch: bridge "br0"), mxl-<name>-mgmt (management
//               bridge "br0")
//   root link   mxl-<name>-m: the root-namespace end of the management network (the only link
//               the lab puts in the root namespace)
//   in a host   mgmt, ocs0.., eps0..; in "ocs": o<i>p<j>; in "eps": h<i>e<j>; in "mgmt": h<i>, uplink
// Addressing:
//   OCS data ports   198.18.<j+1>.<i>/16   (one subnet: any circuit can carry IP)
//   EPS data ports   198.19.<j>.<i>/20
//   management       198.19.<X>.<9+i>/24, root end 198.19.<X>.1, X in 64..254 (a free /24)
#include <cstdint>
#include <string>
#include <vector>

#include "tools/lab/lab_config.hpp"

namespace mixnet::lab {

inline constexpr unsigned short kAgentPort = 7470;

struct PlanPort {
  std::string dev;          // netdev name in the host namespace: "ocs0", "eps0"
  bool ocs = false;         // cabled to the OCS (else to the electrical switch)
  std::string address;      // "198.18.1.3/16"
  int table = 0;            // policy-routing table for traffic sourced from `address`
  std::string subnet;       // the subnet the table routes: "198.18.0.0/16"
  // OCS ports: the OCS-side veth end and where the fibres land (tx/rx on NxM, port on NxCC).
  std::string peer_dev;     // "o3p1" in the ocs namespace, or "h3e0" in the eps namespace
  int tx = 0;
  int rx = 0;
  int port = 0;             // NxCC port, or the electrical switch's port number (1-based)
};

struct PlanHost {
  std::string name;         // "h1"
  std::size_t region = 0;   // index into LabPlan::regions
  std::string netns;        // "mxl-lab-h1"
  std::string mgmt_address; // "198.19.77.10" (no prefix length)
  std::string mgmt_peer;    // "h1" in the mgmt namespace
  std::vector<PlanPort> ports;
};

// A region: consecutive hosts whose OCS ports are cabled to the region's own OCS, one emulator
// process in its own namespace. With one region the names are the lab's from before regions
// (namespace mxl-<name>-ocs, plane.json, logs/ocs-emu.log), so such a lab is unchanged.
struct PlanRegion {
  std::string switch_name;  // "ocs1" .. "ocs<R>", the inventory's switch
  std::string netns;        // "mxl-lab-ocs" (one region) or "mxl-lab-ocs<r>"
  std::string plane_file;   // relative to the lab dir: "plane.json" or "plane-ocs<r>.json"
  std::string log_file;     // relative to the lab dir: "logs/ocs-emu.log" or "logs/ocs-emu-ocs<r>.log"
  std::string serial;       // the emulator's --serial (names the lab: how `down` proves it ours): = netns
  std::uint64_t seed = 0;   // its cabling, training delays and switching times (region 1: the lab's seed)
  SwitchSize size;
  std::vector<std::size_t> hosts;   // indexes into LabPlan::hosts
};

struct LabPlan {
  LabConfig config;
  std::string dir;
  std::string prefix;       // "mxl-lab-"
  std::string eps_netns, mgmt_netns;
  std::string root_link;    // "mxl-lab-m"
  int mgmt_octet = 0;       // X of 198.19.X.0/24
  std::string root_address; // "198.19.X.1/24"
  std::vector<PlanRegion> regions;
  std::vector<PlanHost> hosts;

  [[nodiscard]] std::vector<std::string> namespaces() const;  // every namespace, hosts first
  [[nodiscard]] const PlanRegion& region_of(const PlanHost& h) const { return regions[h.region]; }
};

std::string lab_prefix(const std::string& name);  // "mxl-<name>-"
// The names `make_plan` gives, for those (`shape`) that find a running lab's links from its
// inventory: host `host`'s namespace, the electrical switch's, and in the latter the bridge port
// of host number `host_index` (1-based) 's EPS port number `eps_index` (0-based).
std::string host_netns(const std::string& lab_name, const std::string& host);
std::string eps_netns(const std::string& lab_name);
std::string eps_peer_dev(int host_index, int eps_index);

// The seed of region r's cabling, plane and emulator: the lab's seed for region 1, a mix of it
// and r for the others.
std::uint64_t region_seed(std::uint64_t lab_seed, int region);

// Requires a validated config and 64 <= mgmt_octet <= 254.
LabPlan make_plan(const LabConfig& config, int mgmt_octet);

// Draws the cabling: NxM, a distinct input (tx) and a distinct output (rx) per NIC port; NxCC, a
// distinct port. Seeded with a PRNG whose output the C++ standard fixes (mt19937_64) and our own
// Fisher-Yates, so a seed gives the same cabling with any standard library. Never the identity
// (NIC port k on input k+1 and output N+k+1): software assuming it must fail.
struct Fibre {
  int tx = 0, rx = 0, port = 0;
};
std::vector<Fibre> draw_cabling(const SwitchSize& size, int nic_ports, std::uint64_t seed);

}  // namespace mixnet::lab
