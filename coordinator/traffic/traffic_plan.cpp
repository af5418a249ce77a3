#include "coordinator/traffic/traffic_plan.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::coord {

namespace {

void set_direction(TrafficTest& t, TrafficDirection d) {
  t.a_to_b = d != TrafficDirection::b_to_a;
  t.b_to_a = d != TrafficDirection::a_to_b;
}

// The circuits the step tests: the named topology's, or those ocs.apply last gave each switch.
Result<std::vector<Circuit>> circuits_to_test(const TrafficRunArgs& args, const TopologySet& topologies,
                                              const RunState& state, std::string* label) {
  std::vector<Circuit> circuits;
  if (args.topology) {
    const Topology* t = topologies.find(*args.topology);
    if (t == nullptr) return fail(Errc::invalid_argument, "unknown topology '" + *args.topology + "'", "topology");
    *label = "topology " + t->name;
    return t->circuits;
  }
  if (state.topology_of_switch.empty()) {
    return fail(Errc::invalid_argument, "no topology given and none applied by ocs.apply in this run", "topology");
  }
  std::vector<std::string> names;
  for (const auto& [sw, topo_name] : state.topology_of_switch) {
    const Topology* t = topologies.find(topo_name);
    if (t == nullptr) return fail(Errc::internal, "switch " + sw + " was given topology '" + topo_name + "', which is not loaded");
    for (const auto& rc : t->resolved) {
      if (rc.switch_name == sw) circuits.push_back(rc.circuit);
    }
    if (std::find(names.begin(), names.end(), topo_name) == names.end()) names.push_back(topo_name);
  }
  *label = fmt::format("topology {}", fmt::join(names, ", "));
  return circuits;
}

Result<TrafficPlan> plan_circuits(const TrafficRunArgs& args, const TopologySet& topologies, const RunState& state) {
  TrafficPlan plan;
  auto circuits = circuits_to_test(args, topologies, state, &plan.label);
  if (!circuits) return std::unexpected(circuits.error());
  for (const auto& c : *circuits) {
    TrafficTest t{.kind = "circuit", .a = c.a, .b = c.b};
    set_direction(t, args.direction);
    plan.tests.push_back(std::move(t));
  }
  plan.rounds = pack_rounds(plan.tests, args.parallel);
  return plan;
}

TrafficPlan plan_pairs(const TrafficRunArgs& args) {
  TrafficPlan plan;
  for (const auto& [a, b] : args.pairs) {
    TrafficTest t{.kind = "pair", .a = a, .b = b};
    set_direction(t, args.direction);
    plan.tests.push_back(std::move(t));
  }
  plan.label = fmt::format("{} pair(s)", plan.tests.size());
  plan.rounds = pack_rounds(plan.tests, args.parallel);
  return plan;
}

// The electrical switches the step tests: those named, else every one, in inventory order.
std::vector<const Switch*> eps_switches_to_test(const TrafficRunArgs& args, const Inventory& inventory) {
  std::vector<const Switch*> out;
  for (const auto& sw : inventory.switches) {
    if (sw.kind != SwitchKind::eps) continue;
    if (!args.eps_switches.empty() &&
        std::find(args.eps_switches.begin(), args.eps_switches.end(), sw.name) == args.eps_switches.end()) {
      continue;
    }
    out.push_back(&sw);
  }
  return out;
}

// One switch's all-pairs tests by the circle method, added to plan.tests (pairs within one host
// to plan.skipped); its rounds as indices into plan.tests.
std::vector<std::vector<std::size_t>> plan_one_switch(const Switch& sw, const TrafficRunArgs& args,
                                                      const Inventory& inventory, TrafficPlan& plan) {
  std::vector<PortRef> ports;
  for (const auto& h : inventory.hosts) {
    for (const auto& p : h.ports) {
      if (p.eps && p.eps->switch_name == sw.name) ports.push_back({h.name, p.name});
    }
  }
  std::vector<std::vector<std::size_t>> rounds;
  for (const auto& round : circle_rounds(ports.size())) {
    std::vector<std::size_t> ids;
    for (const auto& [i, j] : round) {
      TrafficTest t{.kind = "pair", .a = ports[i], .b = ports[j]};
      set_direction(t, args.direction);
      if (t.a.host == t.b.host) {
        // Both ends in one host: the kernel delivers locally and the switch is never crossed.
        plan.skipped.push_back({std::move(t), "both ports are on one host, whose kernel would deliver the traffic "
                                              "locally without crossing the switch"});
        continue;
      }
      ids.push_back(plan.tests.size());
      plan.tests.push_back(std::move(t));
    }
    rounds.push_back(std::move(ids));
  }
  return rounds;
}

// Per switch, its ports in inventory order; the circle method's round k of every switch runs together.
Result<TrafficPlan> plan_eps(const TrafficRunArgs& args, const Inventory& inventory) {
  TrafficPlan plan;
  const auto switches = eps_switches_to_test(args, inventory);
  if (switches.empty()) return fail(Errc::invalid_argument, "the inventory has no electrical switch", "pattern");
  std::vector<std::vector<std::vector<std::size_t>>> per_switch_rounds;
  std::vector<std::string> names;
  for (const Switch* sw : switches) {
    names.push_back(sw->name);
    per_switch_rounds.push_back(plan_one_switch(*sw, args, inventory, plan));
  }
  plan.label = fmt::format("{} {}", names.size() == 1 ? "switch" : "switches", fmt::join(names, ", "));
  std::size_t most = 0;
  for (const auto& r : per_switch_rounds) most = std::max(most, r.size());
  for (std::size_t k = 0; k < most; ++k) {
    std::vector<TrafficTest> merged;
    std::vector<std::size_t> index;
    for (const auto& r : per_switch_rounds) {
      if (k >= r.size()) continue;
      for (std::size_t t : r[k]) {
        merged.push_back(plan.tests[t]);
        index.push_back(t);
      }
    }
    if (merged.empty()) continue;
    // A round's pairs are disjoint; `parallel` (and the agents' run limit) may still split it.
    for (const auto& part : pack_rounds(merged, args.parallel)) {
      std::vector<std::size_t> ids;
      for (std::size_t m : part) ids.push_back(index[m]);
      plan.rounds.push_back(std::move(ids));
    }
  }
  return plan;
}

std::string inventory_address(const Inventory& inventory, const PortRef& p) {
  auto port = inventory.find_port(p);
  if (port && (*port)->ip()) return *(*port)->ip();
  return "its agent's address";
}

}  // namespace

Result<TrafficPlan> plan_traffic(const TrafficRunArgs& args, const Inventory& inventory, const TopologySet& topologies,
                                 const RunState& state) {
  switch (args.pattern) {
    case TrafficPattern::circuits: return plan_circuits(args, topologies, state);
    case TrafficPattern::pairs: return plan_pairs(args);
    case TrafficPattern::eps: return plan_eps(args, inventory);
  }
  return fail(Errc::internal, "unknown traffic pattern", "pattern");
}

std::string describe_amount(const TrafficRunArgs& args) {
  std::string what = args.duration_s ? fmt::format("{} s", *args.duration_s) : fmt::format("{} bytes", *args.bytes);
  return fmt::format("{} of {}, {} stream(s)", what, args.transport, args.streams);
}

nlohmann::json plan_data(const TrafficRunArgs& args, const TrafficPlan& plan) {
  nlohmann::json data = {{"pattern", std::string(to_string(args.pattern))}, {"label", plan.label},
                         {"transport", args.transport}, {"direction", std::string(to_string(args.direction))},
                         {"streams", args.streams}, {"timeout_s", args.timeout_s}};
  if (args.duration_s) data["duration_s"] = *args.duration_s;
  if (args.bytes) data["bytes"] = *args.bytes;
  if (args.transport == "tcp") data["sink"] = std::string(wire::to_string(args.sink));
  if (args.threshold) data["threshold"] = *args.threshold;
  if (args.line_rate_gbps) data["line_rate_gbps"] = *args.line_rate_gbps;
  nlohmann::json rounds = nlohmann::json::array();
  for (const auto& r : plan.rounds) {
    nlohmann::json ids = nlohmann::json::array();
    for (std::size_t t : r) ids.push_back(plan.tests[t].id());
    rounds.push_back(std::move(ids));
  }
  data["rounds"] = rounds;
  return data;
}

std::vector<ItemResult> would_run_items(const TrafficPlan& plan, const TrafficRunArgs& args, const Inventory& inventory) {
  std::vector<ItemResult> items;
  for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
    for (std::size_t t : plan.rounds[r]) {
      const TrafficTest& test = plan.tests[t];
      const auto direction = [&](const PortRef& from, const PortRef& to) {
        return fmt::format("{} ({}) -> {} ({})", from.str(), inventory_address(inventory, from), to.str(),
                           inventory_address(inventory, to));
      };
      std::vector<std::string> dirs;
      if (test.a_to_b) dirs.push_back(direction(test.a, test.b));
      if (test.b_to_a) dirs.push_back(direction(test.b, test.a));
      items.push_back({.kind = test.kind, .id = test.id(), .status = std::string(item_status::skipped),
                       .message = fmt::format("would send {}: {}, round {} of {}", describe_amount(args),
                                              fmt::join(dirs, " and "), r + 1, plan.rounds.size()),
                       .data = {{"round", r + 1}}, .hosts = {test.a.host, test.b.host}});
    }
  }
  return items;
}

std::vector<ItemResult> skipped_items(const TrafficPlan& plan) {
  std::vector<ItemResult> items;
  for (const auto& s : plan.skipped) {
    items.push_back({.kind = s.test.kind, .id = s.test.id(), .status = std::string(item_status::skipped),
                     .message = s.why, .hosts = {s.test.a.host}});
  }
  return items;
}

}  // namespace mixnet::coord
