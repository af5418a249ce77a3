// mixnet-lab fault: the emulator's plane faults (/v1/plane/faults, see docs/lab.md) by NIC port
// name HOST:PORT, checked against the inventory before anything is sent.
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
Result<std::string> ocs_port(const RunningLab& lab, const std::string& ref, const std::string& field) {
  const auto colon = ref.find(':');
  if (colon == std::string::npos) return fail(Errc::invalid_argument, "'" + ref + "' is not HOST:PORT", field);
  const std::string host = ref.substr(0, colon), port = ref.substr(colon + 1);
  for (const auto& h : lab.hosts) {
    if (h.name != host) continue;
    for (const auto& p : h.ports) {
      if (p.name != port) continue;
      if (!p.ocs) return fail(Errc::invalid_argument, ref + " is not cabled to the OCS", field);
      return ref;
    }
    return fail(Errc::invalid_argument, "host " + host + " has no port " + port, field);
  }
  return fail(Errc::invalid_argument, "no host " + host + " in the lab", field);
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
  std::string method = "POST";
  std::string target = "/v1/plane/faults";
  json body;
  if (o.kind == "clear") {
    method = "DELETE";
    if (!o.a.empty()) {
      auto a = ocs_port(*lab, o.a, "PORT");
      if (!a) return bad(a.error());
      target += "?end=" + *a;
    }
  } else {
    auto a = ocs_port(*lab, o.a, o.kind == "miswire" ? "A" : "PORT");
    if (!a) return bad(a.error());
    if (o.kind == "miswire") {
      auto b = ocs_port(*lab, o.b, "B");
      if (!b) return bad(b.error());
      if (*a == *b) return bad(Error{Errc::invalid_argument, "A and B are the same port", "B"});
      body = {{"kind", "miswire"}, {"a", *a}, {"b", *b}};
    } else if (o.kind == "dark") {
      body = {{"kind", "dark"}, {"end", *a}};
    } else if (o.kind == "cap") {
      if (o.mbit < 1) return bad(Error{Errc::invalid_argument, "must be at least 1", "mbit"});
      body = {{"kind", "cap"}, {"end", *a}, {"mbit", o.mbit}};
    } else if (o.kind == "flap") {
      if (o.count < 1 || o.count > 1000) return bad(Error{Errc::invalid_argument, "must be 1..1000", "count"});
      if (o.down_ms < 1 || o.up_ms < 1) return bad(Error{Errc::invalid_argument, "must be at least 1", "down-ms"});
      body = {{"kind", "flap"}, {"end", *a}, {"count", o.count}, {"down_ms", o.down_ms}, {"up_ms", o.up_ms}};
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
    std::printf("cleared %s\n", o.a.empty() ? "every plane fault" : ("the faults of " + o.a).c_str());
  } else {
    std::printf("fault %s applied to %s%s\n", o.kind.c_str(), o.a.c_str(), o.kind == "miswire" ? (" and " + o.b).c_str() : "");
  }
  return 0;
}

}  // namespace mixnet::lab
