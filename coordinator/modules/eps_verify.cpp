#include "coordinator/modules/eps_verify.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/modules/hosts_verify.hpp"
#include "coordinator/verify/probe_batches.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

constexpr double kEpsVerifyDeadlineS = 10.0;
// After a round of probes, how long and how often the neighbour tables are read before the next
// round: frames cross a bridge in microseconds, so a short window catches them; a lost frame is
// covered by the next round's fresh nonce.
constexpr std::int64_t kRoundWindowNs = 300'000'000;
constexpr auto kPollGap = std::chrono::milliseconds(10);
// Senders in the first round (verify/probe_batches.hpp: the size then doubles or halves). Eight
// broadcasts reach every port of a 256-port switch without filling a receive queue.
constexpr std::size_t kFirstBatch = 8;

struct EpsPort {
  PortRef ref;
  std::string switch_name;
  bool reachable = true;   // its agent answered
  bool up = false;         // it had carrier
  std::string oper_state;
  std::string error;
  std::set<std::string> heard;   // "host:port" of the ports whose probes it received
};

}  // namespace

Result<void> EpsVerifyModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"hosts", "deadline", "probe_count"}); !ok) return ok;
  if (args.is_object() && args.contains("hosts") && !is_templated(args["hosts"])) {
    if (auto h = selected_hosts(args, vc.inventory); !h) return std::unexpected(h.error());
  }
  if (!module_args::templated(args, "deadline")) {
    if (auto v = module_args::number_arg(args, "deadline", 0.1, 600); !v) return std::unexpected(v.error());
  }
  if (!module_args::templated(args, "probe_count")) {
    if (auto v = module_args::number_arg(args, "probe_count", 1, 16); !v) return std::unexpected(v.error());
  }
  return {};
}

StepResult EpsVerifyModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  auto hosts = selected_hosts(args, ctx.inventory);
  if (!hosts) return module_args::step_error(hosts.error());
  const double deadline_s = module_args::number_arg(args, "deadline", 0.1, 600)->value_or(kEpsVerifyDeadlineS);
  const auto probe_count = static_cast<std::uint32_t>(module_args::number_arg(args, "probe_count", 1, 16)->value_or(2));
  const std::int64_t deadline = std::min(monotonic_ns() + static_cast<std::int64_t>(deadline_s * 1e9), ctx.deadline_ns);

  std::vector<EpsPort> ports;
  for (const auto& name : *hosts) {
    const Host* host = ctx.inventory.find_host(name);
    for (const auto& p : host->ports) {
      if (p.eps) ports.push_back({.ref = {host->name, p.name}, .switch_name = p.eps->switch_name});
    }
  }
  StepResult result;
  if (ports.empty()) {
    result.message = "no port of the selected hosts is cabled to an electrical switch";
    result.data = {{"ports", 0}};
    return result;
  }
  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  const std::int64_t started = realtime_ns();

  // Carrier first: a port without it is dark and sends nothing worth waiting for.
  std::vector<PortCall> calls;
  for (const auto& p : ports) calls.push_back({p.ref.host, p.ref.port});
  const auto states = (*pool)->port(calls, deadline);
  for (std::size_t i = 0; i < ports.size() && i < states.size(); ++i) {
    if (!states[i].ok()) {
      const Error& e = states[i].value.error();
      ports[i].reachable = e.code == Errc::not_found;   // the agent answered: no such port
      ports[i].error = e.message;
      continue;
    }
    ports[i].oper_state = states[i].value->oper_state;
    ports[i].up = ports[i].oper_state == "up";
  }

  // Which ports each port must hear: every other live port on its switch.
  std::map<std::string, std::set<std::string>> expected;   // "host:port" -> peers
  for (const auto& a : ports) {
    for (const auto& b : ports) {
      if (&a != &b && a.switch_name == b.switch_name && b.up) expected[a.ref.str()].insert(b.ref.str());
    }
  }
  // A sender is done once every live peer on its switch heard it.
  const auto sender_pending = [&](const EpsPort& s) {
    if (!s.up) return false;
    return std::any_of(ports.begin(), ports.end(), [&](const EpsPort& q) {
      return &q != &s && q.up && q.switch_name == s.switch_name && !q.heard.contains(s.ref.str());
    });
  };
  // Every live port that can receive (the receivers of every round).
  std::map<std::string, std::vector<std::string>> live_by_host;
  for (const auto& p : ports) {
    if (p.up) live_by_host[p.ref.host].push_back(p.ref.port);
  }

  std::mt19937_64 rng(std::random_device{}());
  ProbeBatches batches(kFirstBatch, ports.size());
  int rounds = 0;
  while (monotonic_ns() < deadline && !ctx.cancel.load()) {
    std::vector<bool> pending(ports.size());
    for (std::size_t i = 0; i < ports.size(); ++i) pending[i] = sender_pending(ports[i]);
    const std::vector<std::size_t> senders = batches.next(pending);
    if (senders.empty()) break;
    ++rounds;
    const std::uint64_t nonce = rng() | 1;
    std::map<std::string, std::vector<std::string>> by_host;
    for (std::size_t i : senders) by_host[ports[i].ref.host].push_back(ports[i].ref.port);
    std::vector<ProbeCall> probes;
    for (const auto& [host, names] : by_host) probes.push_back({host, {.ports = names, .count = probe_count, .nonce = nonce}});
    (void)(*pool)->probe(probes, deadline);

    // Read what every live port heard of this round's nonce until every sender was heard by all
    // its peers, or two reads in a row learn nothing (the rest was lost: the next round resends).
    const std::int64_t window_end = std::min(monotonic_ns() + kRoundWindowNs, deadline);
    int idle_reads = 0;
    const auto round_done = [&] {
      return std::none_of(senders.begin(), senders.end(), [&](std::size_t i) { return sender_pending(ports[i]); });
    };
    do {
      std::vector<NeighborsCall> reads;
      for (const auto& [host, names] : live_by_host) reads.push_back({host, {.port = std::nullopt, .nonce = nonce}});
      bool learnt = false;
      for (const auto& reply : (*pool)->neighbors(reads, window_end)) {
        if (!reply.ok()) continue;
        for (const auto& pn : reply.value->ports) {
          auto it = std::find_if(ports.begin(), ports.end(),
                                 [&](const EpsPort& p) { return p.ref.host == reply.host && p.ref.port == pn.port; });
          if (it == ports.end()) continue;
          for (const auto& n : pn.neighbors) {
            if (n.last_nonce != nonce) continue;
            // The sender's agent id, named as the inventory names its host.
            std::string sender_host = (*pool)->host_for_agent_id(n.host_id);
            if (sender_host.empty()) sender_host = n.host_id;
            learnt |= it->heard.insert(sender_host + ":" + n.port).second;
          }
        }
      }
      if (round_done()) break;
      idle_reads = learnt ? 0 : idle_reads + 1;
      if (idle_reads >= 2) break;
      std::this_thread::sleep_for(kPollGap);
    } while (monotonic_ns() < window_end && !ctx.cancel.load());
    batches.after_round(round_done());
  }

  std::map<std::string, int> counts;
  for (const auto& p : ports) {
    ItemResult item{.kind = "port", .id = p.ref.str(), .started_ns = started, .finished_ns = realtime_ns()};
    item.data = {{"switch", p.switch_name}, {"heard", p.heard}, {"oper_state", p.oper_state}};
    const auto& want = expected[p.ref.str()];
    std::set<std::string> not_heard;
    std::set_difference(want.begin(), want.end(), p.heard.begin(), p.heard.end(), std::inserter(not_heard, not_heard.end()));
    std::set<std::string> deaf;   // live peers on the switch that never heard this port
    for (const auto& q : ports) {
      if (&q != &p && q.up && q.switch_name == p.switch_name && !q.heard.contains(p.ref.str())) deaf.insert(q.ref.str());
    }
    if (!p.reachable) {
      item.status = std::string(item_status::unreachable);
      item.message = p.error;
    } else if (!p.error.empty()) {
      item.status = std::string(item_status::failed);
      item.message = p.error;
    } else if (!p.up) {
      item.status = std::string(item_status::dark);
      item.message = "no carrier (" + p.oper_state + ")";
    } else if (want.empty()) {
      item.status = std::string(item_status::skipped);
      item.message = "the only live port on " + p.switch_name + ": nothing to reach";
    } else if (not_heard.empty() && deaf.empty()) {
      item.status = std::string(item_status::ok);
      item.message = fmt::format("reaches all {} other port(s) on {} both ways", want.size(), p.switch_name);
    } else {
      item.status = std::string(item_status::failed);
      std::string msg;
      if (!not_heard.empty()) msg = "heard nothing from " + fmt::format("{}", fmt::join(not_heard, ", "));
      if (!deaf.empty()) msg += (msg.empty() ? "" : "; ") + ("not heard by " + fmt::format("{}", fmt::join(deaf, ", ")));
      item.message = msg;
      item.data["not_heard"] = not_heard;
      item.data["not_heard_by"] = deaf;
    }
    counts[item.status] += 1;
    ctx.sink.record(item);
  }
  result.data = {{"ports", ports.size()}, {"rounds", rounds}, {"counts", counts}};
  std::string summary;
  for (const auto& [status, n] : counts) summary += (summary.empty() ? "" : ", ") + fmt::format("{} {}", n, status);
  result.message = fmt::format("{} electrical port(s): {}", ports.size(), summary);
  return result;
}

}  // namespace mixnet::coord
