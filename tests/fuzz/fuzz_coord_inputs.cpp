// Fuzzes what a person hands mixnet-coord: inventories (their tls section and agents' ca_file
// included), topology files and the expressions of
// when / until / assert and {{ }} templates (coordinator/model, coordinator/playbook; no I/O).
// The first byte picks the parser; the rest is the input. Beyond "no crash": every refusal names
// a field, every accepted topology resolves to two cross-connects (NxM) or one per circuit, and an
// expression that parses evaluates to a value or an error (never throws) against varied scopes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/playbook/expr.hpp"
#include "coordinator/playbook/template.hpp"

namespace {

using namespace mixnet;
using namespace mixnet::coord;

void check(bool ok) {
  if (!ok) std::abort();
}

// A small fixed inventory the topology inputs resolve against.
const Inventory& fixed_inventory() {
  static const Inventory inv = [] {
    auto r = parse_inventory(R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: p0, ocs: {switch: s, tx: 1, rx: 17}}
      - {name: p1, ocs: {switch: s, tx: 2, rx: 18}}
      - {name: e0, eps: {switch: e}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: p0, ocs: {switch: s, tx: 3, rx: 19}}
      - {name: p1, ocs: {switch: s, tx: 4, rx: 20}}
      - {name: b0, ocs: {switch: c, port: "1.1.1"}}
  - name: h3
    agent: {url: "http://127.0.0.1:3"}
    ports:
      - {name: b0, ocs: {switch: c, port: "1.1.2"}}
switches:
  - {name: s, kind: ocs, uri: "polatis-tl1://a@h:1"}
  - {name: c, kind: ocs, uri: "calient-tl1://a@h:2"}
  - {name: e, kind: eps}
)",
                             "fixed.yaml", "");
    if (!r) std::abort();
    return *r;
  }();
  return inv;
}

void inventory(std::string_view text) {
  auto inv = parse_inventory(text, "fuzz.yaml", "/tmp");
  if (!inv) {
    check(!inv.error().message.empty());
    return;
  }
  for (const auto& h : inv->hosts) {
    for (const auto& p : h.ports) check(!(p.ocs && p.eps));   // one cabling per port
    // TLS (docs/tls.md): a CA only for an https:// agent, as an absolute path; an https:// agent
    // of an inventory with a tls section always has one (its own or the section's).
    const bool https = h.agent.url.rfind("https://", 0) == 0;
    if (!https) check(h.agent.ca_file.empty());
    if (!h.agent.ca_file.empty()) check(h.agent.ca_file.front() == '/');
    if (https && inv->tls) check(!h.agent.ca_file.empty());
  }
  if (inv->tls) check(!inv->tls->agent_ca_file.empty() && inv->tls->agent_ca_file.front() == '/');
}

void topology(std::string_view text) {
  auto topologies = parse_topology_text(text, "fuzz.yaml", fixed_inventory());
  if (!topologies) {
    check(!topologies.error().message.empty());
    return;
  }
  for (const auto& t : *topologies) {
    for (const auto& rc : t.resolved) check(rc.cross_connects.size() == 1 || rc.cross_connects.size() == 2);
  }
}

void expression(std::string_view text) {
  auto e = Expression::parse(text);
  if (!e) {
    check(!e.error().message.empty());
    return;
  }
  static const nlohmann::json scopes[] = {
      nlohmann::json::object(),
      {{"r", {{"ok", true}, {"items", {{{"id", "h1:p0"}, {"status", "ok"}}}}, {"data", {{"n", 3}}}}}, {"item", "ring"}, {"n", 5}},
      {{"x", nullptr}, {"s", "text"}, {"l", {1, 2, 3}}},
  };
  for (const auto& vars : scopes) {
    (void)e->evaluate(vars);
    (void)e->test(vars);
  }
}

void templates(std::string_view text) {
  const nlohmann::json value = std::string(text);
  if (!check_templates(value)) return;
  (void)render(value, nlohmann::json{{"item", "mesh"}, {"n", 2}, {"l", {"a", "b"}}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: inventory(input); break;
    case 1: topology(input); break;
    case 2: expression(input); break;
    default: templates(input); break;
  }
  return 0;
}
