#pragma once
// The files `up` writes for others to read: the inventory (docs/inventory.md, for coordinators and
// tests) and the plane file (the contract with `mixnet-ocs-emu --lab-plane`).
#include <optional>
#include <string>

#include "tools/lab/lab_plan.hpp"

namespace mixnet::lab {

// Where the running emulator listens (127.0.0.1); 0 = not served.
struct EmulatorPorts {
  unsigned short tl1 = 0, rest = 0, calient = 0, control = 0;
};

// The MAC the lab gives a host-side data port: 02:6d:6c:00:<host>:<port> (EPS ports from 0x40),
// locally administered, so inventories can pin them.
std::string port_mac(int host_index, const PlanPort& port, int index_in_kind);

// An agent's URL: https:// unless the lab serves plain HTTP (--insecure-plain-http).
std::string agent_url(const LabPlan& plan, const PlanHost& host);

// `ports[r]`: where region r's emulator listens.
std::string render_inventory(const LabPlan& plan, const std::vector<EmulatorPorts>& ports);
// `inventory` (render_inventory's text) with every data port's `expect: {speed_mbps: N}` set to
// `mbit`, or removed (none): the line rate `mixnet-lab shape` gave the ports, as a real rack's
// inventory states its NICs' speed. Everything else is left as it is, comments included.
std::string with_line_rate(const std::string& inventory, std::optional<int> mbit);
// The spare veth pair in every region's namespace that the plane flips to keep the kernel's
// linkwatch announcing its changes at once (tools/lab/plane/linkwatch_pump.hpp); the peer stays up.
inline constexpr const char* kLinkwatchKickDev = "lwkick";
inline constexpr const char* kLinkwatchKickPeer = "lwkick-peer";

// The plane file of region `region` (index into plan.regions): its namespace and its hosts' ends.
std::string render_plane_file(const LabPlan& plan, std::size_t region);

// The whole of `path` (not_found when it does not exist).
Result<std::string> read_text_file(const std::string& path);

// Writes `text` to `path` with `mode` (via a temporary file and rename: readers never see half).
Result<void> write_file(const std::string& path, const std::string& text, unsigned mode);

}  // namespace mixnet::lab
