// mixnet-lab shape: every data port of a running lab at one line rate, both ways, so that what a
// lab measures reflects its port counts and topology, not how fast this machine's CPUs move
// packets between namespaces (docs/lab.md, "Line rate").
//   OCS ports  each emulator's plane puts the tbf on both devs of each of its ends (the fault cap's
//              code, NamespaceNetlink::set_rate_cap) and keeps it: circuit changes only move the
//              ingress redirects and flip carrier, never the root qdiscs; a port's cap fault wins
//              while set, and clearing it restores the line rate.
//   EPS ports  the same tbf on the host's NIC (what it sends) and on its bridge port in the
//              electrical switch's namespace (what it receives); nothing else touches those.
//   inventory  every data port's expect.speed_mbps, as a real rack's inventory states its NICs'.
#include <cstdio>
#include <fmt/format.h>
#include <map>

#include "tools/lab/emulator_control.hpp"
#include "tools/lab/intent_log.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_files.hpp"
#include "tools/lab/lab_inventory.hpp"
#include "tools/lab/lab_plan.hpp"
#include "tools/lab/plane/netns_netlink.hpp"

namespace mixnet::lab {

namespace {

using nlohmann::json;

// One rtnetlink socket per namespace, opened when first needed.
class ShapeSockets {
 public:
  Result<NamespaceNetlink*> in(const std::string& netns) {
    if (auto it = open_.find(netns); it != open_.end()) return &it->second;
    auto opened = NamespaceNetlink::open(netns);
    if (!opened) return std::unexpected(opened.error());
    return &open_.emplace(netns, std::move(*opened)).first->second;
  }

 private:
  std::map<std::string, NamespaceNetlink> open_;
};

Result<void> shape_dev(ShapeSockets& sockets, const std::string& netns, const std::string& dev, std::optional<int> mbit) {
  auto nl = sockets.in(netns);
  if (!nl) return std::unexpected(nl.error());
  auto ok = mbit ? (*nl)->set_rate_cap(dev, *mbit) : (*nl)->clear_root_qdisc(dev);
  if (!ok) return std::unexpected(ok.error().context(fmt::format("shaping {} in {}", dev, netns)));
  return {};
}

}  // namespace

Result<ShapeReport> shape_lab(const std::string& dir, std::optional<int> mbit) {
  auto lab = read_running_lab(dir);
  if (!lab) return std::unexpected(lab.error());
  if (lab->name.empty()) return fail(Errc::not_found, "the lab's state file in " + dir + " names no lab");
  ShapeReport report;
  // OCS ports: through every switch's plane, which owns their devs.
  for (const auto& sw : lab->switches) {
    auto r = mbit ? emulator_control(*lab, sw, "PUT", "/v1/plane/line-rate", json{{"mbit", *mbit}})
                  : emulator_control(*lab, sw, "DELETE", "/v1/plane/line-rate", json());
    if (!r) return std::unexpected(r.error());
  }
  ShapeSockets sockets;
  const std::string eps_ns = eps_netns(lab->name);
  for (std::size_t i = 0; i < lab->hosts.size(); ++i) {
    const RunningHost& h = lab->hosts[i];
    int eps_index = 0;
    for (const auto& p : h.ports) {
      if (p.ocs) {
        ++report.ocs_ports;
        continue;
      }
      // The host's NIC limits what it sends, its bridge port what it receives.
      if (auto ok = shape_dev(sockets, host_netns(lab->name, h.name), p.name, mbit); !ok) return std::unexpected(ok.error());
      if (auto ok = shape_dev(sockets, eps_ns, eps_peer_dev(static_cast<int>(i) + 1, eps_index++), mbit); !ok) {
        return std::unexpected(ok.error());
      }
      ++report.eps_ports;
    }
  }
  // Last: the inventory states a rate only once every port has it.
  const std::string path = dir + "/inventory.yaml";
  auto text = read_text_file(path);
  if (!text) return std::unexpected(text.error());
  if (auto ok = write_file(path, with_line_rate(*text, mbit), 0644); !ok) return std::unexpected(ok.error());
  return report;
}

int cmd_shape(const LabRef& ref, const ShapeOptions& o) {
  auto bad = [](const char* flag, const std::string& why) {
    std::fprintf(stderr, "mixnet-lab shape: --%s: %s\n", flag, why.c_str());
    return 2;
  };
  if (o.mbit && o.off) return bad("off", "give either --mbit N or --off, not both");
  if (!o.mbit && !o.off) return bad("mbit", "give a line rate (--mbit N) or --off");
  if (o.mbit && (*o.mbit < 1 || *o.mbit > kMaxLineRateMbit)) {
    return bad("mbit", fmt::format("must be 1..{} Mbit/s, got {}", kMaxLineRateMbit, *o.mbit));
  }
  const std::string dir = ref.resolved_dir();
  if (!lab_exists(ref.name, dir) || !read_state(dir)) {
    return bad(ref.dir.empty() ? "name" : "dir", "no lab '" + (ref.dir.empty() ? ref.name : ref.dir) + "' (no " + dir + "/" +
                                                     kStateFile + ")");
  }
  auto done = shape_lab(dir, o.mbit);
  if (!done) {
    std::fprintf(stderr, "mixnet-lab shape: %s\n", done.error().describe().c_str());
    return 1;
  }
  const int ports = done->ocs_ports + done->eps_ports;
  if (o.mbit) {
    std::printf("shaped %d data ports (%d OCS, %d EPS) to %d Mbit/s both ways; the inventory says expect.speed_mbps: %d\n",
                ports, done->ocs_ports, done->eps_ports, *o.mbit, *o.mbit);
  } else {
    std::printf("unshaped %d data ports (%d OCS, %d EPS); expect.speed_mbps removed from the inventory\n", ports,
                done->ocs_ports, done->eps_ports);
  }
  return 0;
}

}  // namespace mixnet::lab
