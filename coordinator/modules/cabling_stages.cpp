#include "coordinator/modules/cabling_stages.hpp"

#include <algorithm>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "coordinator/cabling/output_search.hpp"

namespace mixnet::coord {

std::optional<cabling::NicIndex> SwitchDiscovery::index_of(const PortRef& port) const {
  auto it = std::find(nics.begin(), nics.end(), port);
  if (it == nics.end()) return std::nullopt;
  return static_cast<cabling::NicIndex>(it - nics.begin());
}

namespace {

bool discovery_stopped(const StageBudget& b) {
  return (b.cancel != nullptr && b.cancel->load()) || (b.deadline_ns != 0 && monotonic_ns() >= b.deadline_ns);
}

bool discovery_active(const SwitchDiscovery& d) { return d.sw && !d.failure && !d.nics.empty(); }

std::vector<std::string> hosts_under_test(const std::vector<SwitchDiscovery>& switches) {
  std::set<std::string> hosts;
  for (const auto& d : switches) {
    if (!discovery_active(d)) continue;
    for (const auto& p : d.nics) hosts.insert(p.host);
  }
  return {hosts.begin(), hosts.end()};
}

// Runs `fn` on every active switch at once (each driver has its own session and deadlines), so a
// slow switch delays the round, never the others' readings; a failure fails that switch only.
template <class Fn>
void on_every_switch(std::vector<SwitchDiscovery>& switches, const std::function<bool(const SwitchDiscovery&)>& wanted, Fn fn) {
  std::vector<std::future<void>> running;
  for (auto& d : switches) {
    if (!discovery_active(d) || !wanted(d)) continue;
    running.push_back(std::async(std::launch::async, [&d, &fn] {
      if (auto ok = fn(d); !ok) d.failure = ok.error();
    }));
  }
  for (auto& r : running) r.wait();
}

// The inputs' readings of one sweep (any-to-any: every port's), and which of them are lit.
cabling::PowerSweep input_readings(const SwitchDiscovery& d, const std::map<ocs::PortId, double>& sweep) {
  cabling::PowerSweep inputs;
  for (const auto& port : d.sw->inputs) {
    if (auto it = sweep.find(port); it != sweep.end()) inputs[port] = it->second;
  }
  return inputs;
}

std::set<cabling::SwitchPort> lit_inputs(const cabling::PowerSweep& sweep, double dark_dbm) {
  std::set<cabling::SwitchPort> lit;
  for (const auto& [port, dbm] : sweep) {
    if (dbm > dark_dbm) lit.insert(port);
  }
  return lit;
}

// A sweep taken once the light has settled: swept again (half the settle time later) until two
// sweeps in a row light the same inputs, at most kMaxSweepsPerRound times. A laser, a power
// monitor's averaging or (in the lab) the plane that hears the NIC's admin change may lag the
// agent's answer; a sweep read too soon would show a NIC's code with a bit missing.
constexpr int kMaxSweepsPerRound = 5;
Result<cabling::PowerSweep> steady_input_sweep(SwitchDiscovery& d, const StageBudget& budget) {
  auto first = sweep_input_power(*d.sw);
  if (!first) return std::unexpected(first.error());
  auto last = input_readings(d, *first);
  const auto again_after = std::max(budget.settle / 2, std::chrono::milliseconds(20));
  for (int n = 1; n < kMaxSweepsPerRound; ++n) {
    std::this_thread::sleep_for(again_after);
    auto next = sweep_input_power(*d.sw);
    if (!next) return std::unexpected(next.error());
    auto readings = input_readings(d, *next);
    const bool same = lit_inputs(readings, d.dark_dbm) == lit_inputs(last, d.dark_dbm);
    last = std::move(readings);
    if (same) break;
  }
  return last;
}

}  // namespace

std::map<PortRef, Error> run_input_stage(AgentPool& pool, std::vector<SwitchDiscovery>& switches, const StageBudget& budget) {
  std::map<PortRef, Error> failed_ports;
  int rounds = 0;
  for (auto& d : switches) {
    if (!discovery_active(d)) continue;
    d.started_ns = realtime_ns();
    auto plan = cabling::plan_input_sweep(static_cast<int>(d.nics.size()));
    if (!plan) {
      d.failure = plan.error();
      continue;
    }
    d.plan = std::move(*plan);
    rounds = std::max(rounds, d.plan.rounds);
  }
  for (int r = 0; r < rounds && !discovery_stopped(budget); ++r) {
    // Every NIC under test of every switch, on or off by its code (a switch with fewer rounds
    // leaves its NICs on: it reads nothing this round).
    std::map<PortRef, bool> admin;
    for (const auto& d : switches) {
      if (!discovery_active(d)) continue;
      for (std::size_t k = 0; k < d.nics.size(); ++k) {
        admin[d.nics[k]] = r >= d.plan.rounds || d.plan.transmits(static_cast<cabling::NicIndex>(k), r);
      }
    }
    for (auto& [port, error] : set_transmitters(pool, admin, budget.deadline_ns)) failed_ports.emplace(port, std::move(error));
    // Optics and the switch's power monitors take a moment to follow a laser.
    std::this_thread::sleep_for(budget.settle);
    on_every_switch(switches, [r](const SwitchDiscovery& d) { return r < d.plan.rounds; }, [&budget](SwitchDiscovery& d) -> Result<void> {
      auto sweep = steady_input_sweep(d, budget);
      if (!sweep) return std::unexpected(sweep.error());
      d.sweeps.push_back(std::move(*sweep));
      return {};
    });
  }
  for (auto& d : switches) {
    if (!discovery_active(d)) continue;
    if (static_cast<int>(d.sweeps.size()) < d.plan.rounds) {
      d.failure = Error{Errc::timeout, fmt::format("switch {}: stopped after {} of {} light-pattern rounds", d.switch_name, d.sweeps.size(),
                                                   d.plan.rounds)};
      continue;
    }
    auto decoded = cabling::decode_input_sweep(d.plan, d.sweeps, d.dark_dbm);
    if (!decoded) d.failure = decoded.error().context("switch " + d.switch_name + ": decode the power sweeps");
    else d.inputs = std::move(*decoded);
  }
  return failed_ports;
}

namespace {

// What each switch's NICs heard in one round.
using RoundFacts = std::map<std::size_t, std::map<cabling::NicIndex, cabling::Heard>>;

// One loopback round on every switch at once: each switch given its circuits (nothing else of
// discovery's stays on it), then the neighbours heard until every tested port heard one or the
// wait ran out. A switch that fails is marked failed and has no facts.
Result<RoundFacts> run_loopback_round(AgentPool& pool, NeighbourListener& listener, const std::vector<std::string>& hosts,
                                  std::vector<SwitchDiscovery>& switches, const std::map<std::size_t, std::vector<cabling::Circuit>>& circuits,
                                  const StageBudget& budget, std::int64_t& slowest_ns, std::chrono::milliseconds wait) {
  if (auto ok = listener.mark(hosts, budget.deadline_ns); !ok) return std::unexpected(ok.error().context("mark the event journals"));
  std::map<std::size_t, std::int64_t> applied_ns;   // CLOCK_REALTIME: the switch held the round
  std::mutex applied_mutex;
  std::vector<std::future<void>> applying;
  for (const auto& [i, round] : circuits) {
    applying.push_back(std::async(std::launch::async, [&, i = i, &round = round] {
      auto& d = switches[i];
      std::vector<ocs::CrossConnect> made;
      for (const auto& c : round) made.push_back({c.input, c.output, false});
      auto timing = set_round_circuits(*d.sw, d.circuits, made);
      if (!timing) {
        d.failure = timing.error();
        return;
      }
      d.circuits = std::move(made);
      ++d.output_rounds;
      std::lock_guard lock(applied_mutex);
      applied_ns[i] = timing->acked_ns > 0 ? timing->acked_ns : realtime_ns();
    }));
  }
  for (auto& a : applying) a.wait();
  std::vector<PortRef> waiting_for;
  for (const auto& [i, round] : circuits) {
    if (!applied_ns.contains(i)) continue;
    for (const auto& c : round) waiting_for.push_back(switches[i].nics[static_cast<std::size_t>(c.nic)]);
  }
  auto heard = listener.listen(hosts, waiting_for, std::min(budget.deadline_ns, monotonic_ns() + wait.count() * 1'000'000), budget.cancel);
  if (!heard) return std::unexpected(heard.error().context("hear the neighbours of the loopback round"));
  // Every tested NIC heard nothing unless an event says otherwise; an event counts for a switch
  // when its receiver is that switch's and it came after the switch held the round (an earlier
  // round's straggler is no evidence about this one).
  RoundFacts facts;
  for (const auto& [i, round] : circuits) {
    if (!applied_ns.contains(i)) continue;
    for (const auto& c : round) facts[i][c.nic] = cabling::Heard::none();
  }
  for (const auto& h : *heard) {
    for (auto& [i, per_nic] : facts) {
      const auto& d = switches[i];
      auto rx = d.index_of(h.receiver);
      if (!rx) continue;
      const std::int64_t at_ns = h.time_ns - pool.clock_offset_ns(h.receiver.host).value_or(0);
      if (at_ns < applied_ns.at(i) - 1'000'000) continue;
      auto tx = d.index_of(h.sender);
      per_nic[*rx] = tx ? cabling::Heard::of(*tx) : cabling::Heard::identity(h.sender.str());
      slowest_ns = std::max(slowest_ns, at_ns - applied_ns.at(i));
    }
  }
  return facts;
}

// One pass of loopback rounds over every switch's search, all switches' rounds at once. `wait`
// says how long a round waits for ports that heard nothing, given the slowest loopback seen so far
// (-1: none yet).
Result<void> loopback_rounds(AgentPool& pool, std::vector<SwitchDiscovery>& switches, std::map<std::size_t, cabling::OutputSearch>& searches,
                             const StageBudget& budget, std::int64_t& slowest_ns,
                             const std::function<std::chrono::milliseconds(std::int64_t)>& wait) {
  const auto hosts = hosts_under_test(switches);
  NeighbourListener listener(pool);
  while (!discovery_stopped(budget)) {
    std::map<std::size_t, cabling::OutputRound> rounds;
    std::map<std::size_t, std::vector<cabling::Circuit>> circuits;
    for (auto& [i, search] : searches) {
      if (switches[i].failure || search.done()) continue;
      auto round = search.next_round();
      if (!round) {
        switches[i].failure = round.error().context("switch " + switches[i].switch_name + ": plan a loopback round");
        continue;
      }
      if (round->circuits.empty()) continue;
      circuits[i] = round->circuits;
      rounds.emplace(i, std::move(*round));
    }
    if (rounds.empty()) return {};
    auto facts = run_loopback_round(pool, listener, hosts, switches, circuits, budget, slowest_ns, wait(slowest_ns));
    if (!facts) return std::unexpected(facts.error());
    for (auto& [i, round] : rounds) {
      if (switches[i].failure) continue;
      if (auto ok = searches.at(i).observe(round, (*facts)[i]); !ok) {
        switches[i].failure = ok.error().context("switch " + switches[i].switch_name + ": loopback round " + std::to_string(round.number));
      }
    }
  }
  return {};
}

// The inventory's own map, tried first in one round: each NIC's light sent to the output the
// inventory says feeds it. Where the map is right, the NIC hears itself, and a swapped pair hears
// each other; either way the output is learnt without a search. Returns what was learnt; a NIC
// that heard nothing is simply searched for (no negative is kept: the search starts afresh).
Result<void> inventory_round(AgentPool& pool, std::vector<SwitchDiscovery>& switches, const StageBudget& budget, std::int64_t& slowest_ns) {
  std::map<std::size_t, std::vector<cabling::Circuit>> circuits;
  for (std::size_t i = 0; i < switches.size(); ++i) {
    auto& d = switches[i];
    if (!discovery_active(d) || d.sw->any_to_any()) continue;
    std::set<cabling::SwitchPort> used;
    for (const auto& [nic, output] : d.inventory_outputs) {
      auto in = d.inputs.found.find(nic);
      if (in == d.inputs.found.end() || !used.insert(output).second) continue;
      if (std::find(d.sw->outputs.begin(), d.sw->outputs.end(), output) == d.sw->outputs.end()) continue;
      circuits[i].push_back(cabling::Circuit{nic, in->second, output});
    }
  }
  if (circuits.empty()) return {};
  const auto hosts = hosts_under_test(switches);
  NeighbourListener listener(pool);
  auto facts = run_loopback_round(pool, listener, hosts, switches, circuits, budget, slowest_ns, budget.link_timeout);
  if (!facts) return std::unexpected(facts.error());
  for (auto& [i, per_nic] : *facts) {
    auto& d = switches[i];
    std::map<cabling::NicIndex, cabling::SwitchPort> sent_to;
    for (const auto& c : circuits.at(i)) sent_to[c.nic] = c.output;
    std::map<cabling::SwitchPort, int> claims;
    std::map<cabling::NicIndex, cabling::SwitchPort> learnt;
    for (const auto& [rx, heard] : per_nic) {
      if (heard.kind != cabling::Heard::Kind::nic || !sent_to.contains(heard.nic)) continue;
      learnt[rx] = sent_to.at(heard.nic);   // a heard b: b's light, sent to f(b), reaches a
      ++claims[learnt[rx]];
    }
    for (const auto& [nic, output] : learnt) {
      if (claims[output] == 1) d.outputs[nic] = output;   // one output, two NICs: trust neither
    }
  }
  return {};
}

}  // namespace

Result<void> run_output_stage(AgentPool& pool, std::vector<SwitchDiscovery>& switches, const StageBudget& budget) {
  // First pass: one search per NxM switch over its NICs whose input is known. A round waits for
  // the ports that heard nothing for the link timeout until a loopback has come up, then 1.5 x
  // the slowest seen plus 50 ms (at least 100 ms): a fast pass, whose only risk is a link slower
  // than any before it, ruled out too early.
  std::int64_t slowest_ns = -1;
  if (auto ok = inventory_round(pool, switches, budget, slowest_ns); !ok) return std::unexpected(ok.error());
  std::map<std::size_t, cabling::OutputSearch> searches;
  for (std::size_t i = 0; i < switches.size(); ++i) {
    auto& d = switches[i];
    if (!discovery_active(d) || d.sw->any_to_any()) continue;
    std::map<cabling::NicIndex, cabling::SwitchPort> unknown;
    for (const auto& [nic, input] : d.inputs.found) {
      if (!d.outputs.contains(nic)) unknown[nic] = input;
    }
    if (unknown.empty()) continue;
    std::set<cabling::SwitchPort> taken;
    for (const auto& [nic, out] : d.outputs) taken.insert(out);
    std::vector<cabling::SwitchPort> free;
    for (const auto& o : d.sw->outputs) {
      if (!taken.contains(o)) free.push_back(o);
    }
    auto search = cabling::OutputSearch::create(unknown, free);
    if (!search) {
      d.failure = search.error();
      continue;
    }
    searches.emplace(i, std::move(*search));
  }
  const auto adaptive = [&budget](std::int64_t slowest) {
    if (slowest < 0) return budget.link_timeout;
    return std::clamp(std::chrono::milliseconds(slowest * 3 / 2 / 1'000'000 + 50), std::chrono::milliseconds(100), budget.link_timeout);
  };
  auto first = loopback_rounds(pool, switches, searches, budget, slowest_ns, adaptive);
  std::map<std::size_t, std::vector<cabling::UnresolvedOutput>> given_up;
  for (auto& [i, search] : searches) {
    auto& d = switches[i];
    const auto result = search.result();
    for (const auto& [nic, out] : result.resolved) d.outputs[nic] = out;
    given_up[i] = result.unresolved;
  }
  if (!first) return std::unexpected(first.error());
  // Second pass, for the NICs that ran out of candidates: their outputs not yet taken, each round
  // given the whole link timeout, so a slow link is not mistaken for a wrong output.
  std::map<std::size_t, cabling::OutputSearch> retries;
  for (auto& [i, unresolved] : given_up) {
    auto& d = switches[i];
    std::map<cabling::NicIndex, cabling::SwitchPort> again;
    for (const auto& u : unresolved) {
      if (u.why == cabling::UnresolvedWhy::candidates_exhausted) again[u.nic] = d.inputs.found.at(u.nic);
    }
    std::set<cabling::SwitchPort> taken;
    for (const auto& [nic, out] : d.outputs) taken.insert(out);
    std::vector<cabling::SwitchPort> free;
    for (const auto& o : d.sw->outputs) {
      if (!taken.contains(o)) free.push_back(o);
    }
    if (again.empty() || free.empty() || d.failure || adaptive(slowest_ns) >= budget.link_timeout) continue;
    auto search = cabling::OutputSearch::create(again, free);
    if (search) retries.emplace(i, std::move(*search));
  }
  auto second = retries.empty() ? Result<void>{}
                                : loopback_rounds(pool, switches, retries, budget, slowest_ns,
                                                  [&budget](std::int64_t) { return budget.link_timeout; });
  for (auto& [i, unresolved] : given_up) {
    auto& d = switches[i];
    std::map<cabling::NicIndex, std::string> why;
    for (const auto& u : unresolved) why[u.nic] = u.detail.empty() ? std::string(cabling::to_string(u.why)) : u.detail;
    if (auto r = retries.find(i); r != retries.end()) {
      const auto result = r->second.result();
      for (const auto& [nic, out] : result.resolved) {
        d.outputs[nic] = out;
        why.erase(nic);
      }
      for (const auto& u : result.unresolved) {
        why[u.nic] = (u.detail.empty() ? std::string(cabling::to_string(u.why)) : u.detail) + ", also with the whole link timeout per round";
      }
    }
    d.unresolved = std::move(why);
  }
  return second;
}

}  // namespace mixnet::coord
