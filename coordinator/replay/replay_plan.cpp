// A layer's flows (replay_plan.hpp): the same traffic evaluate_quality estimates, as transfers
// between ports.
#include "coordinator/replay/replay_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::coord::replay {

std::vector<const HostPort*> electrical_ports(const Host& host) {
  std::vector<const HostPort*> out;
  for (const auto& port : host.ports) {
    if (port.eps) out.push_back(&port);
  }
  return out;
}

namespace {

// Largest remainder over equal shares: every share is total / n, and since their remainders are
// all equal, the first total % n shares take one spare byte each. The shares sum to `total`.
std::vector<std::uint64_t> plan_even_shares(std::uint64_t total, std::size_t n) {
  std::vector<std::uint64_t> shares(n, total / n);
  for (std::size_t s = 0; s < total % n; ++s) shares[s] += 1;
  return shares;
}

// The circuits between two hosts, keyed by the two host names in order (a < b), in the
// topology's order.
using PlanCircuitsByPair = std::map<std::pair<std::string, std::string>, std::vector<const Circuit*>>;

PlanCircuitsByPair plan_circuits_by_pair(const Topology* topology) {
  PlanCircuitsByPair out;
  if (topology == nullptr) return out;
  for (const auto& c : topology->circuits) {
    if (c.a.host == c.b.host) continue;   // joins one host to itself: no pair of the demand uses it
    out[{std::min(c.a.host, c.b.host), std::max(c.a.host, c.b.host)}].push_back(&c);
  }
  return out;
}

std::string plan_switches_text(const std::vector<const HostPort*>& ports) {
  if (ports.empty()) return "no electrical port";
  std::vector<std::string> names;
  for (const auto* p : ports) {
    if (std::find(names.begin(), names.end(), p->eps->switch_name) == names.end()) names.push_back(p->eps->switch_name);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

// Circuit flows: the pair's bytes this way, split evenly over its circuits, each from the
// circuit's port on the sender to its port on the receiver.
void plan_circuit_flows(const std::string& from, std::uint64_t total, const std::vector<const Circuit*>& circuits,
                        std::vector<ReplayFlow>& flows) {
  const auto shares = plan_even_shares(total, circuits.size());
  for (std::size_t k = 0; k < circuits.size(); ++k) {
    if (shares[k] == 0) continue;
    const Circuit& c = *circuits[k];
    const bool a_sends = c.a.host == from;
    flows.push_back({a_sends ? c.a : c.b, a_sends ? c.b : c.a, shares[k], FlowPath::circuit});
  }
}

// EPS flows: the sender's bytes split evenly over its electrical ports that share a switch with
// one of the receiver's; the a-th of them sends to the receiver's ports on its switch in turn,
// offset by the sender's index, so with two ports per host both are used both ways and the
// receivers' ports are spread across senders.
Result<void> plan_eps_flows(const Host& sender, const Host& receiver, std::size_t sender_index, std::uint64_t total,
                            std::vector<ReplayFlow>& flows) {
  const auto from_ports = electrical_ports(sender);
  const auto to_ports = electrical_ports(receiver);
  auto receivers_on = [&](const std::string& switch_name) {
    std::vector<const HostPort*> out;
    for (const auto* p : to_ports) {
      if (p->eps->switch_name == switch_name) out.push_back(p);
    }
    return out;
  };
  std::vector<const HostPort*> senders;
  for (const auto* p : from_ports) {
    if (!receivers_on(p->eps->switch_name).empty()) senders.push_back(p);
  }
  if (senders.empty()) {
    return fail(Errc::invalid_argument,
                fmt::format("{} -> {}: {} bytes need the electrical switch (no circuit joins them), but {} and {} share no "
                            "electrical switch ({}: {}; {}: {})",
                            sender.name, receiver.name, total, sender.name, receiver.name, sender.name, plan_switches_text(from_ports),
                            receiver.name, plan_switches_text(to_ports)),
                "eps");
  }
  const auto shares = plan_even_shares(total, senders.size());
  for (std::size_t a = 0; a < senders.size(); ++a) {
    if (shares[a] == 0) continue;
    const auto targets = receivers_on(senders[a]->eps->switch_name);
    const HostPort* to = targets[(a + sender_index) % targets.size()];
    flows.push_back({PortRef{sender.name, senders[a]->name}, PortRef{receiver.name, to->name}, shares[a], FlowPath::eps});
  }
  return {};
}

// Whole bytes for a pair: the demand is a double (token counts x bytes per token, scaled).
Result<std::uint64_t> plan_pair_bytes(const topogen::DemandMatrix& demand, std::size_t i, std::size_t j) {
  const double bytes = demand.bytes[i][j];
  if (!std::isfinite(bytes) || bytes < 0 || bytes >= 0x1p63) {
    return fail(Errc::invalid_argument,
                fmt::format("{}: {} -> {}: {} is not a number of bytes (finite, >= 0, < 2^63)", demand.source, demand.hosts[i],
                            demand.hosts[j], bytes),
                fmt::format("bytes[{}][{}]", i, j));
  }
  return static_cast<std::uint64_t>(std::llround(bytes));
}

}  // namespace

Result<std::vector<ReplayFlow>> layer_flows(const topogen::DemandMatrix& demand, const Topology* topology, const Inventory& inventory) {
  if (auto known = topogen::check_demand_hosts(demand, inventory); !known) return std::unexpected(known.error());
  const std::size_t n = demand.hosts.size();
  if (demand.bytes.size() != n || std::any_of(demand.bytes.begin(), demand.bytes.end(), [n](const auto& row) { return row.size() != n; })) {
    return fail(Errc::invalid_argument, fmt::format("{}: the byte matrix is not {} x {} (one row and column per host)", demand.source, n, n),
                "bytes");
  }
  const auto circuits = plan_circuits_by_pair(topology);
  std::vector<ReplayFlow> flows;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;   // bytes within a host never touch the network
      auto total = plan_pair_bytes(demand, i, j);
      if (!total) return std::unexpected(total.error());
      if (*total == 0) continue;
      const auto& from = demand.hosts[i];
      const auto& to = demand.hosts[j];
      if (const auto it = circuits.find({std::min(from, to), std::max(from, to)}); it != circuits.end()) {
        plan_circuit_flows(from, *total, it->second, flows);
        continue;
      }
      if (auto ok = plan_eps_flows(*inventory.find_host(from), *inventory.find_host(to), i, *total, flows); !ok) {
        return std::unexpected(ok.error().context(demand.source));
      }
    }
  }
  std::sort(flows.begin(), flows.end(), [](const ReplayFlow& x, const ReplayFlow& y) {
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    if (x.from != y.from) return x.from < y.from;
    if (x.to != y.to) return x.to < y.to;
    return x.path < y.path;
  });
  return flows;
}

}  // namespace mixnet::coord::replay
