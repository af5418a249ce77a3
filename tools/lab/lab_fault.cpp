// mixnet-lab fault: the emulator's plane faults (/v1/plane/faults, see docs/lab.md) and its
// weak-port fault (extra loss on a switch port, /v1/faults/ports/P) by NIC port name HOST:PORT,
// checked against the inventory before anything is sent. Each port's fault goes to the emulator
// of the switch it is cabled to (its region's); `clear` without a port goes to every one.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tools/lab/emulator_control.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_inventory.hpp"

namespace mixnet::lab {

namespace {

using nlohmann::json;

// An OCS-cabled port of the lab, or an error naming what is wrong with it.
Result<const RunningPort*> ocs_port(const RunningLab& lab, const std::string& ref, const std::string& field) {
  const auto colon = ref.find(':');
  if (colon == std::string::npos) return fail(Errc::invalid_argument, "'" + ref + "' is not HOST:PORT", field);
  const std::string host = ref.substr(0, colon), port = ref.substr(colon + 1);
  for (const auto& h : lab.hosts) {
    if (h.name != host) continue;
    for (const auto& p : h.ports) {
      if (p.name != port) continue;
      if (!p.ocs) return fail(Errc::invalid_argument, ref + " is not cabled to the OCS", field);
      if (find_switch(lab, p.switch_name) == nullptr) {
        return fail(Errc::invalid_argument, ref + " is cabled to " + p.switch_name + ", which has no ground truth in the inventory", field);
      }
      return &p;
    }
    return fail(Errc::invalid_argument, "host " + host + " has no port " + port, field);
  }
  return fail(Errc::invalid_argument, "no host " + host + " in the lab", field);
}

// The switch ports a NIC port's fibres land on: its input and output on an NxM switch, its one
// port on an NxCC switch.
std::vector<int> switch_ports_of(const RunningPort& p) {
  if (p.port > 0) return {p.port};
  return {p.tx, p.rx};
}

// The emulator of the switch a port is cabled to (ocs_port checked that it exists).
const RunningSwitch& switch_of(const RunningLab& lab, const RunningPort& p) { return *find_switch(lab, p.switch_name); }

// The weak-port fault: extra loss on switch ports (0 heals them).
Result<void> set_extra_loss(const RunningLab& lab, const RunningSwitch& sw, const std::vector<int>& ports, double db) {
  for (int p : ports) {
    auto r = emulator_control(lab, sw, "PUT", "/v1/faults/ports/" + std::to_string(p), json{{"extra_loss_db", db}});
    if (!r) return std::unexpected(r.error());
  }
  return {};
}

// Every port of switch `sw` that has extra loss now.
Result<std::vector<int>> weak_switch_ports(const RunningLab& lab, const RunningSwitch& sw) {
  auto faults = emulator_control(lab, sw, "GET", "/v1/faults", json());
  if (!faults) return std::unexpected(faults.error());
  std::vector<int> ports;
  const auto weak = faults->find("weak_ports");
  if (weak == faults->end() || !weak->is_object()) return fail(Errc::io, "the emulator's /v1/faults has no weak_ports");
  for (const auto& entry : weak->items()) ports.push_back(std::stoi(entry.key()));
  return ports;
}

int failed(const Error& e) {
  std::fprintf(stderr, "mixnet-lab fault: %s\n", e.message.c_str());
  return 1;
}

}  // namespace

int cmd_fault(const LabRef& ref, const FaultOptions& o) {
  auto lab = read_running_lab(ref.resolved_dir());
  if (!lab) {
    std::fprintf(stderr, "mixnet-lab fault: %s\n", lab.error().message.c_str());
    return 1;
  }
  auto bad = [](const Error& e) {
    std::fprintf(stderr, "mixnet-lab fault: %s: %s\n", e.field.c_str(), e.message.c_str());
    return 2;
  };
  if (o.kind == "weak") {
    auto a = ocs_port(*lab, o.a, "PORT");
    if (!a) return bad(a.error());
    if (!(o.loss_db > 0.0 && o.loss_db <= 60.0)) return bad(Error{Errc::invalid_argument, "must be more than 0 and at most 60 dB", "loss-db"});
    if (auto ok = set_extra_loss(*lab, switch_of(*lab, **a), switch_ports_of(**a), o.loss_db); !ok) return failed(ok.error());
    std::printf("fault weak applied to %s (%.1f dB more loss at its OCS ports)\n", o.a.c_str(), o.loss_db);
    return 0;
  }
  if (o.kind == "clear") {
    const RunningPort* port = nullptr;
    if (!o.a.empty()) {
      auto a = ocs_port(*lab, o.a, "PORT");
      if (!a) return bad(a.error());
      port = *a;
    }
    // One port: its switch's plane fault and weak ports; no port: every switch's.
    for (const auto& sw : lab->switches) {
      if (port != nullptr && sw.name != port->switch_name) continue;
      const std::string target = "/v1/plane/faults" + (port != nullptr ? "?end=" + o.a : "");
      if (auto r = emulator_control(*lab, sw, "DELETE", target, json()); !r) return failed(r.error());
      // Weak ports are the switch's own fault, not the plane's: healed port by port.
      auto weak = port != nullptr ? Result<std::vector<int>>(switch_ports_of(*port)) : weak_switch_ports(*lab, sw);
      if (!weak) return failed(weak.error());
      if (auto ok = set_extra_loss(*lab, sw, *weak, 0.0); !ok) return failed(ok.error());
    }
    std::printf("cleared %s\n", o.a.empty() ? "every plane fault and weak port" : ("the faults of " + o.a).c_str());
    return 0;
  }
  auto a = ocs_port(*lab, o.a, o.kind == "miswire" ? "A" : "PORT");
  if (!a) return bad(a.error());
  json body;
  if (o.kind == "miswire") {
    auto b = ocs_port(*lab, o.b, "B");
    if (!b) return bad(b.error());
    if (o.a == o.b) return bad(Error{Errc::invalid_argument, "A and B are the same port", "B"});
    if ((*a)->switch_name != (*b)->switch_name) {
      return bad(Error{Errc::invalid_argument,
                       o.a + " is on " + (*a)->switch_name + " and " + o.b + " on " + (*b)->switch_name +
                           ": a miswire swaps two ports' fibres on one switch",
                       "B"});
    }
    body = {{"kind", "miswire"}, {"a", o.a}, {"b", o.b}};
  } else if (o.kind == "dark") {
    body = {{"kind", "dark"}, {"end", o.a}};
  } else if (o.kind == "cap") {
    if (o.mbit < 1) return bad(Error{Errc::invalid_argument, "must be at least 1", "mbit"});
    body = {{"kind", "cap"}, {"end", o.a}, {"mbit", o.mbit}};
  } else if (o.kind == "flap") {
    if (o.count < 1 || o.count > 1000) return bad(Error{Errc::invalid_argument, "must be 1..1000", "count"});
    if (o.down_ms < 1 || o.up_ms < 1) return bad(Error{Errc::invalid_argument, "must be at least 1", "down-ms"});
    body = {{"kind", "flap"}, {"end", o.a}, {"count", o.count}, {"down_ms", o.down_ms}, {"up_ms", o.up_ms}};
  }
  if (auto r = emulator_control(*lab, switch_of(*lab, **a), "POST", "/v1/plane/faults", body); !r) return failed(r.error());
  std::printf("fault %s applied to %s%s\n", o.kind.c_str(), o.a.c_str(), o.kind == "miswire" ? (" and " + o.b).c_str() : "");
  return 0;
}

}  // namespace mixnet::lab
