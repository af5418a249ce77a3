// mixnet-lab fault: the emulator's plane faults (/v1/plane/faults, see docs/lab.md) and its
// weak-port fault (extra loss on a switch port, /v1/faults/ports/P) by NIC port name HOST:PORT,
// checked against the inventory before anything is sent.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tools/lab/http_call.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_inventory.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;
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

// An emulator control call that must answer 200; the error says who refused what.
Result<json> control_call(const RunningLab& lab, const std::string& method, const std::string& target, const json& body) {
  auto r = http_call(method, lab.control_url + target, lab.token, body.is_null() ? "" : body.dump(), 10s);
  if (!r) return fail(r.error().code, "the emulator did not answer: " + r.error().message);
  if (r->status != 200) return fail(Errc::unavailable, "the emulator refused " + method + " " + target + " (HTTP " + std::to_string(r->status) + "): " + r->body);
  auto parsed = json::parse(r->body, nullptr, false);
  if (parsed.is_discarded()) return fail(Errc::io, "the emulator's answer to " + method + " " + target + " is not JSON");
  return parsed;
}

// The weak-port fault: extra loss on switch ports (0 heals them).
Result<void> set_extra_loss(const RunningLab& lab, const std::vector<int>& ports, double db) {
  for (int p : ports) {
    auto r = control_call(lab, "PUT", "/v1/faults/ports/" + std::to_string(p), json{{"extra_loss_db", db}});
    if (!r) return std::unexpected(r.error());
  }
  return {};
}

// Every switch port that has extra loss now.
Result<std::vector<int>> weak_switch_ports(const RunningLab& lab) {
  auto faults = control_call(lab, "GET", "/v1/faults", json());
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
    if (auto ok = set_extra_loss(*lab, switch_ports_of(**a), o.loss_db); !ok) return failed(ok.error());
    std::printf("fault weak applied to %s (%.1f dB more loss at its OCS ports)\n", o.a.c_str(), o.loss_db);
    return 0;
  }
  std::string method = "POST";
  std::string target = "/v1/plane/faults";
  json body;
  const RunningPort* cleared_port = nullptr;
  if (o.kind == "clear") {
    method = "DELETE";
    if (!o.a.empty()) {
      auto a = ocs_port(*lab, o.a, "PORT");
      if (!a) return bad(a.error());
      cleared_port = *a;
      target += "?end=" + o.a;
    }
  } else {
    auto a = ocs_port(*lab, o.a, o.kind == "miswire" ? "A" : "PORT");
    if (!a) return bad(a.error());
    if (o.kind == "miswire") {
      auto b = ocs_port(*lab, o.b, "B");
      if (!b) return bad(b.error());
      if (o.a == o.b) return bad(Error{Errc::invalid_argument, "A and B are the same port", "B"});
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
  }
  auto r = http_call(method, lab->control_url + target, lab->token, body.is_null() ? "" : body.dump(), 10s);
  if (!r) {
    std::fprintf(stderr, "mixnet-lab fault: the emulator did not answer: %s\n", r.error().message.c_str());
    return 1;
  }
  if (r->status != 200) {
    std::fprintf(stderr, "mixnet-lab fault: the emulator refused (HTTP %ld): %s\n", r->status, r->body.c_str());
    return 1;
  }
  if (o.kind == "clear") {
    // Weak ports are the switch's own fault, not the plane's: healed port by port.
    auto weak = cleared_port != nullptr ? Result<std::vector<int>>(switch_ports_of(*cleared_port)) : weak_switch_ports(*lab);
    if (!weak) return failed(weak.error());
    if (auto ok = set_extra_loss(*lab, *weak, 0.0); !ok) return failed(ok.error());
    std::printf("cleared %s\n", o.a.empty() ? "every plane fault and weak port" : ("the faults of " + o.a).c_str());
  } else {
    std::printf("fault %s applied to %s%s\n", o.kind.c_str(), o.a.c_str(), o.kind == "miswire" ? (" and " + o.b).c_str() : "");
  }
  return 0;
}

}  // namespace mixnet::lab
