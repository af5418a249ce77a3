#include "coordinator/modules/traffic_run.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/traffic_calls.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kStartTimeoutNs = 10 * kSecond;      // starting servers / clients, handing peers
constexpr std::int64_t kServerSettleNs = 3 * kSecond;       // servers end right after their client
constexpr std::int64_t kCleanupNs = 3 * kSecond;            // cancels at the end of a round
constexpr std::uint64_t kMaxRdmaMarginMs = 2000;

// Three significant figures ("9.41", "0.0482", "400"), whole numbers from 1000 up.
std::string fmt_gbps(double g) {
  if (g >= 1000) return fmt::format("{:.0f}", g);
  return fmt::format("{:.3g}", g);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
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
  *label = "topology " + join(names, ", ");
  return circuits;
}

void set_direction(TrafficTest& t, TrafficDirection d) {
  t.a_to_b = d != TrafficDirection::b_to_a;
  t.b_to_a = d != TrafficDirection::a_to_b;
}

// ---- one direction of one test, as it runs ----

struct Flow {
  std::size_t test = 0;
  std::size_t round = 0;
  PortRef from, to;
  std::string server_id, client_id;
  std::optional<wire::TrafficRunReport> server, client;
  std::string status;                     // empty while running
  std::string message;
  std::vector<std::string> fault_hosts;   // whom a failure counts against (empty: both ends)
  bool measured = false;
  double gbps = 0;
  std::optional<double> line_rate_gbps;
  std::string line_rate_source;

  [[nodiscard]] std::string label() const { return from.str() + " -> " + to.str(); }
  [[nodiscard]] bool settled() const { return !status.empty(); }
  void fail_with(std::string_view what, const Error& e, const std::string& host) {
    // A transport failure or a deadline on the way to an agent: that agent did not answer. An
    // agent that answered with an HTTP error ("h2: POST ...: HTTP 503 ...") did answer.
    const bool silent = (e.code == Errc::io || e.code == Errc::timeout || e.code == Errc::unavailable) &&
                        e.message.find(": HTTP ") == std::string::npos;
    status = silent ? std::string(item_status::unreachable) : std::string(item_status::failed);
    message = fmt::format("{}: {}: {}", label(), what, e.message);
    if (silent) fault_hosts = {host};
  }
};

// Line rate of a flow: the argument wins; else the slower end's speed as its agent reports it;
// else the inventory's expect.speed_mbps of the slower end.
void choose_line_rate(Flow& f, const TrafficRunArgs& args, const Inventory& inventory,
                      const std::map<std::string, std::map<std::string, wire::PortInfo>>& live) {
  if (args.line_rate_gbps) {
    f.line_rate_gbps = *args.line_rate_gbps;
    f.line_rate_source = "line_rate_gbps";
    return;
  }
  const auto live_speed = [&](const PortRef& p) -> std::optional<double> {
    const auto h = live.find(p.host);
    if (h == live.end()) return std::nullopt;
    const auto port = h->second.find(p.port);
    if (port == h->second.end() || !port->second.speed_mbps || *port->second.speed_mbps == 0) return std::nullopt;
    return *port->second.speed_mbps / 1000.0;
  };
  const auto a = live_speed(f.from), b = live_speed(f.to);
  if (a && b) {
    f.line_rate_gbps = std::min(*a, *b);
    f.line_rate_source = "speed_mbps";
    return;
  }
  const auto expected = [&](const PortRef& p) -> std::optional<double> {
    auto port = inventory.find_port(p);
    if (!port || !(*port)->expect.speed_mbps) return std::nullopt;
    return static_cast<double>(*(*port)->expect.speed_mbps) / 1000.0;
  };
  const auto ea = a ? a : expected(f.from), eb = b ? b : expected(f.to);
  if (ea && eb) {
    f.line_rate_gbps = std::min(*ea, *eb);
    f.line_rate_source = "expect.speed_mbps";
  }
}

// The verdict of a flow whose client report is final (or whose round ran out of time).
void judge(Flow& f, const TrafficRunArgs& args, double timeout_s) {
  if (f.settled()) return;
  if (!f.client) {
    f.status = std::string(item_status::failed);
    f.message = f.label() + ": no report of the sender's run";
    return;
  }
  const wire::TrafficRunReport& c = *f.client;
  if (!traffic_run_finished(c)) {
    f.status = std::string(item_status::failed);
    f.message = fmt::format("{}: did not finish within the {} s timeout (state {}, {} Gb/s so far)", f.label(), timeout_s,
                            c.state, fmt_gbps(c.gbps));
    return;
  }
  if (c.state != "done") {
    f.status = std::string(item_status::failed);
    f.message = fmt::format("{}: the sender's run {} {}: {}", f.label(), c.id, c.state,
                            c.errors.empty() ? std::string("no reason given") : join(c.errors, "; "));
    return;
  }
  if (c.bytes == 0 || c.gbps <= 0) {
    f.status = std::string(item_status::failed);
    f.message = f.label() + ": no data delivered";
    return;
  }
  f.measured = true;
  f.gbps = c.gbps;
  if (args.threshold) {
    if (!f.line_rate_gbps) {
      f.status = std::string(item_status::failed);
      f.message = fmt::format("{}: {} Gb/s, but the line rate is unknown (no speed_mbps from the agents or expect.speed_mbps "
                              "in the inventory): give line_rate_gbps",
                              f.label(), fmt_gbps(f.gbps));
      return;
    }
    const double want = *args.threshold * *f.line_rate_gbps;
    if (f.gbps < want) {
      f.status = std::string(item_status::failed);
      f.message = fmt::format("{}: {} Gb/s, below the threshold {} Gb/s ({}% of the {} Gb/s line rate, from {})", f.label(),
                              fmt_gbps(f.gbps), fmt_gbps(want), fmt_gbps(*args.threshold * 100), fmt_gbps(*f.line_rate_gbps),
                              f.line_rate_source);
      return;
    }
  }
  f.status = std::string(item_status::ok);
  f.message = f.line_rate_gbps ? fmt::format("{}: {} Gb/s ({:.0f}% of {} Gb/s line rate)", f.label(), fmt_gbps(f.gbps),
                                             100 * f.gbps / *f.line_rate_gbps, fmt_gbps(*f.line_rate_gbps))
                               : fmt::format("{}: {} Gb/s", f.label(), fmt_gbps(f.gbps));
}

nlohmann::json flow_data(const Flow& f, const TrafficRunArgs& args) {
  nlohmann::json d = {{"from", f.from.str()}, {"to", f.to.str()}, {"status", f.status}, {"round", f.round + 1},
                      {"transport", args.transport}};
  if (f.measured) d["gbps"] = f.gbps;
  if (f.line_rate_gbps) {
    d["line_rate_gbps"] = *f.line_rate_gbps;
    d["line_rate_source"] = f.line_rate_source;
    if (args.threshold) d["threshold_gbps"] = *args.threshold * *f.line_rate_gbps;
  }
  if (f.client) {
    const auto& c = *f.client;
    d["client_run"] = c.id;
    d["from_address"] = c.local_address;
    d["to_address"] = c.peer;
    d["state"] = c.state;
    d["bytes"] = c.bytes;
    d["bytes_confirmed"] = c.bytes_confirmed ? nlohmann::json(*c.bytes_confirmed) : nlohmann::json(nullptr);
    d["seconds"] = c.seconds;
    d["streams"] = c.streams;
    d["reconnects"] = c.reconnects;
    d["start_ns"] = c.start_ns;
    d["end_ns"] = c.end_ns;
    if (!c.errors.empty()) d["errors"] = c.errors;
    if (c.rdma && c.rdma->bandwidth) d["rdma_average_gbps"] = c.rdma->bandwidth->average_gbps;
  }
  if (f.server) {
    d["server_run"] = f.server->id;
    d["server_state"] = f.server->state;
    d["server_bytes"] = f.server->bytes;
    d["server_gbps"] = f.server->gbps;
    if (!f.server->sink.empty()) d["server_sink"] = f.server->sink;  // what the receiver did, in its own words
  }
  return d;
}

// Whom a set of flows' failures counts against: the agents that did not answer, when that is
// all that went wrong; otherwise every end.
std::vector<std::string> blame(const std::vector<const Flow*>& flows, std::vector<std::string> ends) {
  std::set<std::string> hosts;
  for (const Flow* f : flows) {
    if (f->status == item_status::ok) continue;
    if (f->fault_hosts.empty()) return ends;
    hosts.insert(f->fault_hosts.begin(), f->fault_hosts.end());
  }
  if (hosts.empty()) return ends;
  return {hosts.begin(), hosts.end()};
}

std::string worst_status(const std::vector<const Flow*>& flows) {
  bool unreachable = false;
  for (const Flow* f : flows) {
    if (f->status == item_status::failed) return std::string(item_status::failed);
    if (f->status == item_status::unreachable) unreachable = true;
  }
  return unreachable ? std::string(item_status::unreachable) : std::string(item_status::ok);
}

// ---- a round: every flow of its tests at once ----

class RoundRunner {
 public:
  RoundRunner(AgentPool& pool, const TrafficRunArgs& args, StepContext& ctx) : pool_(pool), args_(args), ctx_(ctx) {}

  void run(std::vector<Flow*>& flows) {
    const std::int64_t timeout_ns = static_cast<std::int64_t>(args_.timeout_s * 1e9);
    // Leave room at the step's deadline to cancel what is still running.
    const std::int64_t round_deadline = std::min(monotonic_ns() + timeout_ns, ctx_.deadline_ns - kCleanupNs);
    start_servers(flows, round_deadline);
    start_clients(flows, round_deadline);
    if (args_.transport == "rdma") hand_peers(flows, round_deadline);
    wait_clients(flows, round_deadline);
    settle_servers(flows);
  }

 private:
  std::uint64_t timeout_ms() const {
    return std::min<std::uint64_t>(static_cast<std::uint64_t>(args_.timeout_s * 1000), wire::kMaxTrafficDurationMs);
  }
  std::int64_t start_deadline(std::int64_t round_deadline) const {
    return std::min(monotonic_ns() + kStartTimeoutNs, std::max(round_deadline, monotonic_ns() + kSecond));
  }

  void start_servers(std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficServerCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      TrafficServerCall c{.host = f->to.host};
      c.request.port = f->to.port;
      c.request.transport = args_.transport;
      c.request.sink = args_.sink;
      c.request.duration_ms = timeout_ms();   // its lifetime: it ends by the round's end whatever happens
      c.request.accept_timeout_ms = std::min<std::uint64_t>(timeout_ms(), wire::kDefaultAcceptTimeoutMs);
      if (args_.transport == "rdma") {
        wire::RdmaOptions o;
        o.qps = args_.streams;
        c.request.rdma = o;
      }
      calls.push_back(std::move(c));
      who.push_back(f);
    }
    auto replies = start_traffic_servers(pool_, calls, start_deadline(round_deadline));
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the receiver " + who[i]->to.str() + " could not start", replies[i].value.error(), who[i]->to.host);
        continue;
      }
      who[i]->server = *replies[i].value;
      who[i]->server_id = replies[i].value->id;
    }
  }

  void start_clients(std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficClientCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled()) continue;
      TrafficClientCall c{.host = f->from.host};
      c.request.port = f->from.port;
      c.request.transport = args_.transport;
      // The receiver listens on the address its agent bound it to: the port's own address.
      c.request.peer = f->server->local_address;
      if (c.request.peer.empty()) {
        auto p = ctx_.inventory.find_port(f->to);
        if (p) c.request.peer = (*p)->ip().value_or("");
      }
      c.request.peer_tcp_port = f->server->tcp_port;
      c.request.streams = args_.streams;
      if (args_.duration_s) c.request.duration_ms = std::max<std::uint64_t>(1, std::llround(*args_.duration_s * 1000));
      if (args_.bytes) c.request.bytes = *args_.bytes;
      if (args_.transport == "rdma") {
        if (!f->server->rdma || !f->server->rdma->endpoint) {
          f->status = std::string(item_status::failed);
          f->message = f->label() + ": the receiver's agent gave no rdma.endpoint for its RDMA server " + f->server_id;
          continue;
        }
        wire::RdmaOptions o;
        o.qps = args_.streams;
        o.peer = *f->server->rdma->endpoint;
        o.margin_ms = std::min<std::uint64_t>(kMaxRdmaMarginMs, *c.request.duration_ms / 4);
        c.request.rdma = o;
      }
      calls.push_back(std::move(c));
      who.push_back(f);
    }
    if (calls.empty()) return;
    auto replies = start_traffic_clients(pool_, calls, start_deadline(round_deadline));
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the sender " + who[i]->from.str() + " could not start", replies[i].value.error(),
                          who[i]->from.host);
        continue;
      }
      who[i]->client = *replies[i].value;
      who[i]->client_id = replies[i].value->id;
    }
  }

  void hand_peers(std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficPeerCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled()) continue;
      if (!f->client->rdma || !f->client->rdma->endpoint) {
        f->status = std::string(item_status::failed);
        f->message = f->label() + ": the sender's agent gave no rdma.endpoint for its RDMA run " + f->client_id;
        continue;
      }
      nlohmann::json endpoint;
      wire::to_json(endpoint, *f->client->rdma->endpoint);
      calls.push_back({.host = f->to.host, .id = f->server_id, .endpoint = std::move(endpoint)});
      who.push_back(f);
    }
    if (calls.empty()) return;
    auto replies = hand_traffic_peers(pool_, calls, start_deadline(round_deadline));
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the receiver " + who[i]->to.str() + " refused the sender's endpoint", replies[i].value.error(),
                          who[i]->to.host);
      }
    }
  }

  void wait_clients(std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficReadCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled() || f->client_id.empty()) continue;
      calls.push_back({.host = f->from.host, .id = f->client_id});
      who.push_back(f);
    }
    if (calls.empty()) return;
    TrafficWaitOptions options;
    options.deadline_ns = round_deadline;
    options.cancel = &ctx_.cancel;
    auto replies = wait_traffic_runs(pool_, calls, options);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (replies[i].ok()) {
        who[i]->client = *replies[i].value;
      } else if (!traffic_run_finished(*who[i]->client)) {
        who[i]->fail_with("reading the sender's run " + who[i]->client_id, replies[i].value.error(), who[i]->from.host);
      }
    }
    if (ctx_.cancel.load()) {
      for (Flow* f : who) {
        if (!f->settled() && !traffic_run_finished(*f->client)) {
          f->status = std::string(item_status::failed);
          f->message = f->label() + ": interrupted";
        }
      }
    }
  }

  // Servers end right after their client's receipts: read them (briefly), then cancel every run
  // of the round still going, so nothing outlives the step.
  void settle_servers(std::vector<Flow*>& flows) {
    std::vector<TrafficReadCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->server_id.empty()) continue;
      calls.push_back({.host = f->to.host, .id = f->server_id});
      who.push_back(f);
    }
    const bool any_client_running = std::any_of(flows.begin(), flows.end(), [](const Flow* f) {
      return f->client && !traffic_run_finished(*f->client);
    });
    if (!calls.empty()) {
      TrafficWaitOptions options;
      // Only a server whose client ended cleanly is worth waiting for.
      options.deadline_ns = std::min(monotonic_ns() + (any_client_running ? kSecond / 2 : kServerSettleNs), ctx_.deadline_ns);
      auto replies = wait_traffic_runs(pool_, calls, options);
      for (std::size_t i = 0; i < replies.size(); ++i) {
        if (replies[i].ok()) who[i]->server = *replies[i].value;
      }
    }
    std::vector<TrafficRunRef> cancels;
    for (Flow* f : flows) {
      if (f->client && !traffic_run_finished(*f->client)) cancels.push_back({f->from.host, f->client_id});
      if (f->server && !f->server_id.empty() && !traffic_run_finished(*f->server)) cancels.push_back({f->to.host, f->server_id});
    }
    if (!cancels.empty()) {
      (void)cancel_traffic_runs(pool_, cancels, monotonic_ns() + kCleanupNs);
    }
  }

  AgentPool& pool_;
  const TrafficRunArgs& args_;
  StepContext& ctx_;
};

std::string describe_amount(const TrafficRunArgs& args) {
  std::string what = args.duration_s ? fmt::format("{} s", *args.duration_s) : fmt::format("{} bytes", *args.bytes);
  return fmt::format("{} of {}, {} stream(s)", what, args.transport, args.streams);
}

std::string inventory_address(const Inventory& inventory, const PortRef& p) {
  auto port = inventory.find_port(p);
  if (port && (*port)->ip()) return *(*port)->ip();
  return "its agent's address";
}

}  // namespace

Result<TrafficPlan> plan_traffic(const TrafficRunArgs& args, const Inventory& inventory, const TopologySet& topologies,
                                 const RunState& state) {
  TrafficPlan plan;
  switch (args.pattern) {
    case TrafficPattern::circuits: {
      auto circuits = circuits_to_test(args, topologies, state, &plan.label);
      if (!circuits) return std::unexpected(circuits.error());
      for (const auto& c : *circuits) {
        TrafficTest t{.kind = "circuit", .a = c.a, .b = c.b};
        set_direction(t, args.direction);
        plan.tests.push_back(std::move(t));
      }
      plan.rounds = pack_rounds(plan.tests, args.parallel);
      break;
    }
    case TrafficPattern::pairs: {
      for (const auto& [a, b] : args.pairs) {
        TrafficTest t{.kind = "pair", .a = a, .b = b};
        set_direction(t, args.direction);
        plan.tests.push_back(std::move(t));
      }
      plan.label = fmt::format("{} pair(s)", plan.tests.size());
      plan.rounds = pack_rounds(plan.tests, args.parallel);
      break;
    }
    case TrafficPattern::eps: {
      // Per switch, its ports in inventory order; the circle method's round k of every switch runs together.
      std::vector<std::vector<std::vector<std::size_t>>> per_switch_rounds;
      std::vector<std::string> names;
      for (const auto& sw : inventory.switches) {
        if (sw.kind != SwitchKind::eps) continue;
        if (!args.eps_switches.empty() &&
            std::find(args.eps_switches.begin(), args.eps_switches.end(), sw.name) == args.eps_switches.end()) {
          continue;
        }
        names.push_back(sw.name);
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
        per_switch_rounds.push_back(std::move(rounds));
      }
      if (names.empty()) return fail(Errc::invalid_argument, "the inventory has no electrical switch", "pattern");
      plan.label = (names.size() == 1 ? "switch " : "switches ") + join(names, ", ");
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
      break;
    }
  }
  return plan;
}

Result<void> TrafficRunModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  // Templated arguments are checked again, resolved, when the step runs.
  nlohmann::json known = args;
  bool partial = false;
  if (known.is_object()) {
    for (auto it = known.begin(); it != known.end();) {
      if (is_templated(it.value())) {
        it = known.erase(it);
        partial = true;
      } else {
        ++it;
      }
    }
  }
  // A templated pattern leaves the pattern-specific keys for the run to judge.
  if (partial && args.is_object() && args.contains("pattern") && is_templated(args["pattern"])) {
    return io_args::only_keys(args, {"pattern", "topology", "pairs", "switches", "direction", "duration", "bytes", "streams",
                                     "transport", "sink", "threshold", "line_rate_gbps", "timeout", "parallel"});
  }
  auto parsed = parse_traffic_run_args(known, vc.inventory, vc.topologies, partial);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

StepResult TrafficRunModule::run(const nlohmann::json& raw_args, StepContext& ctx) {
  auto parsed = parse_traffic_run_args(raw_args, ctx.inventory, ctx.topologies);
  if (!parsed) return io_args::step_error(parsed.error());
  const TrafficRunArgs& args = *parsed;
  auto planned = plan_traffic(args, ctx.inventory, ctx.topologies, ctx.state);
  if (!planned && ctx.check_mode && !args.topology && args.pattern == TrafficPattern::circuits) {
    // ocs.apply records what it applied only when it really applies it.
    StepResult r;
    r.message = "would test the circuits of the topology ocs.apply applies (check mode applies none); nothing sent";
    return r;
  }
  if (!planned) return io_args::step_error(planned.error());
  const TrafficPlan& plan = *planned;
  const std::string noun = args.pattern == TrafficPattern::circuits ? "circuit" : "pair";
  const std::string group = args.pattern == TrafficPattern::circuits ? "circuits" : "pairs";

  StepResult result;
  result.data = {{"pattern", std::string(to_string(args.pattern))}, {"label", plan.label},
                 {"transport", args.transport}, {"direction", std::string(to_string(args.direction))},
                 {"streams", args.streams}, {"timeout_s", args.timeout_s}};
  if (args.duration_s) result.data["duration_s"] = *args.duration_s;
  if (args.bytes) result.data["bytes"] = *args.bytes;
  if (args.transport == "tcp") result.data["sink"] = std::string(wire::to_string(args.sink));
  if (args.threshold) result.data["threshold"] = *args.threshold;
  if (args.line_rate_gbps) result.data["line_rate_gbps"] = *args.line_rate_gbps;
  nlohmann::json rounds = nlohmann::json::array();
  for (const auto& r : plan.rounds) {
    nlohmann::json ids = nlohmann::json::array();
    for (std::size_t t : r) ids.push_back(plan.tests[t].id());
    rounds.push_back(std::move(ids));
  }
  result.data["rounds"] = rounds;

  for (const auto& s : plan.skipped) {
    ctx.sink.record({.kind = s.test.kind, .id = s.test.id(), .status = std::string(item_status::skipped),
                     .message = s.why, .hosts = {s.test.a.host}});
  }

  if (ctx.check_mode) {
    for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
      for (std::size_t t : plan.rounds[r]) {
        const TrafficTest& test = plan.tests[t];
        std::vector<std::string> dirs;
        if (test.a_to_b) dirs.push_back(fmt::format("{} ({}) -> {} ({})", test.a.str(), inventory_address(ctx.inventory, test.a),
                                                    test.b.str(), inventory_address(ctx.inventory, test.b)));
        if (test.b_to_a) dirs.push_back(fmt::format("{} ({}) -> {} ({})", test.b.str(), inventory_address(ctx.inventory, test.b),
                                                    test.a.str(), inventory_address(ctx.inventory, test.a)));
        ctx.sink.record({.kind = test.kind, .id = test.id(), .status = std::string(item_status::skipped),
                         .message = fmt::format("would send {}: {}, round {} of {}", describe_amount(args), join(dirs, " and "),
                                                r + 1, plan.rounds.size()),
                         .data = {{"round", r + 1}}, .hosts = {test.a.host, test.b.host}});
      }
    }
    result.message = fmt::format("{}: would run {} {} test(s) in {} round(s) ({}); nothing sent (check mode)", plan.label,
                                 plan.tests.size(), noun, plan.rounds.size(), describe_amount(args));
    return result;
  }

  auto pool = ctx.agents();
  if (!pool) return io_args::step_error(pool.error());

  // The ports' speed (line rate) from every agent involved, read once.
  std::set<std::string> host_set;
  for (const auto& t : plan.tests) {
    host_set.insert(t.a.host);
    host_set.insert(t.b.host);
  }
  std::map<std::string, std::map<std::string, wire::PortInfo>> live;
  if (!args.line_rate_gbps && !host_set.empty()) {
    const std::vector<std::string> hosts(host_set.begin(), host_set.end());
    for (auto& reply : (*pool)->inventory(hosts, std::min(monotonic_ns() + kStartTimeoutNs, ctx.deadline_ns))) {
      if (!reply.ok()) continue;   // its tests fail when their runs cannot start, naming why
      for (auto& p : reply.value->ports) live[reply.host][p.name] = p;
    }
  }

  // Every flow of the plan, in test order.
  std::vector<Flow> flows;
  std::vector<std::vector<std::size_t>> flows_of_test(plan.tests.size());
  for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
    for (std::size_t t : plan.rounds[r]) {
      const TrafficTest& test = plan.tests[t];
      if (test.a_to_b) flows.push_back({.test = t, .round = r, .from = test.a, .to = test.b});
      if (test.b_to_a) flows.push_back({.test = t, .round = r, .from = test.b, .to = test.a});
    }
  }
  for (std::size_t i = 0; i < flows.size(); ++i) {
    flows_of_test[flows[i].test].push_back(i);
    choose_line_rate(flows[i], args, ctx.inventory, live);
  }

  std::map<std::string, int> counts;
  nlohmann::json per_test = nlohmann::json::object();
  RoundRunner runner(**pool, args, ctx);
  for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
    std::vector<Flow*> round;
    for (auto& f : flows) {
      if (f.round == r) round.push_back(&f);
    }
    const std::int64_t started = realtime_ns();
    if (ctx.cancel.load() || ctx.expired()) {
      for (Flow* f : round) {
        f->status = std::string(item_status::failed);
        f->message = f->label() + (ctx.cancel.load() ? ": not run: interrupted" : ": not run: the step's timeout passed");
      }
    } else {
      if (plan.rounds.size() > 1) ctx.sink.note(fmt::format("round {} of {}", r + 1, plan.rounds.size()));
      runner.run(round);
      for (Flow* f : round) judge(*f, args, args.timeout_s);
    }
    // The round's tests, each with both its directions.
    for (std::size_t t : plan.rounds[r]) {
      const TrafficTest& test = plan.tests[t];
      std::vector<const Flow*> mine;
      for (std::size_t i : flows_of_test[t]) mine.push_back(&flows[i]);
      ItemResult item{.kind = test.kind, .id = test.id()};
      item.status = worst_status(mine);
      std::vector<std::string> ends = {test.a.host};
      if (test.b.host != test.a.host) ends.push_back(test.b.host);
      item.hosts = item.status == item_status::ok ? ends : blame(mine, ends);
      std::vector<std::string> messages;
      nlohmann::json flow_list = nlohmann::json::array();
      double total = 0;
      std::optional<double> lowest;
      bool all_measured = true;
      item.data = {{"a", test.a.str()}, {"b", test.b.str()}, {"round", r + 1}};
      for (const Flow* f : mine) {
        messages.push_back(f->message);
        flow_list.push_back(flow_data(*f, args));
        if (f->measured) {
          total += f->gbps;
          lowest = lowest ? std::min(*lowest, f->gbps) : f->gbps;
          item.data[f->from == test.a ? "a_to_b_gbps" : "b_to_a_gbps"] = f->gbps;
        } else {
          all_measured = false;
        }
      }
      // A circuit is as good as its worse direction.
      if (all_measured && lowest) item.data["gbps"] = *lowest;
      item.data["total_gbps"] = total;
      item.data["flows"] = flow_list;
      item.message = join(messages, "; ");
      item.started_ns = started;
      item.finished_ns = realtime_ns();
      counts[item.status] += 1;
      nlohmann::json summary = {{"status", item.status}, {"total_gbps", total}, {"round", r + 1}};
      for (const char* k : {"gbps", "a_to_b_gbps", "b_to_a_gbps"}) {
        if (item.data.contains(k)) summary[k] = item.data[k];
      }
      per_test[test.id()] = summary;
      ctx.sink.record(item);
    }
  }

  // One verdict per port: every flow it sent or received.
  std::map<PortRef, std::vector<const Flow*>> by_port;
  for (const auto& f : flows) {
    by_port[f.from].push_back(&f);
    by_port[f.to].push_back(&f);
  }
  nlohmann::json per_port = nlohmann::json::object();
  for (const auto& [port, mine] : by_port) {
    ItemResult item{.kind = "port", .id = port.str()};
    item.status = worst_status(mine);
    item.hosts = item.status == item_status::ok ? std::vector<std::string>{port.host} : blame(mine, {port.host});
    std::optional<double> tx, rx;
    std::vector<std::string> parts;
    nlohmann::json sent = nlohmann::json::object(), received = nlohmann::json::object();
    for (const Flow* f : mine) {
      const bool sender = f->from == port;
      if (f->status != item_status::ok) parts.push_back(f->message);
      // Measured figures count even when below the threshold: they say how far off it is.
      if (!f->measured) continue;
      auto& slot = sender ? tx : rx;
      slot = slot ? std::min(*slot, f->gbps) : f->gbps;
      (sender ? sent : received)[sender ? f->to.str() : f->from.str()] = f->gbps;
    }
    if (item.status == item_status::ok) {
      for (const auto& [peer, g] : sent.items()) parts.push_back(fmt::format("sent {} Gb/s to {}", fmt_gbps(g.get<double>()), peer));
      for (const auto& [peer, g] : received.items()) {
        parts.push_back(fmt::format("received {} Gb/s from {}", fmt_gbps(g.get<double>()), peer));
      }
      if (parts.size() > 4) {
        parts = {fmt::format("{} flow(s) ok", mine.size())};
        if (tx) parts.push_back(fmt::format("sent at least {} Gb/s", fmt_gbps(*tx)));
        if (rx) parts.push_back(fmt::format("received at least {} Gb/s", fmt_gbps(*rx)));
      }
    }
    item.message = join(parts, "; ");
    item.data = {{"sent_gbps", sent}, {"received_gbps", received}, {"flows", mine.size()}};
    if (tx) item.data["tx_gbps"] = *tx;   // the lowest rate it sent at
    if (rx) item.data["rx_gbps"] = *rx;   // the lowest rate it received at
    per_port[port.str()] = {{"status", item.status}};
    if (tx) per_port[port.str()]["tx_gbps"] = *tx;
    if (rx) per_port[port.str()]["rx_gbps"] = *rx;
    ctx.sink.record(item);
  }

  double total = 0, lowest = 0, highest = 0;
  std::size_t measured = 0;
  for (const auto& f : flows) {
    if (!f.measured) continue;
    total += f.gbps;
    lowest = measured == 0 ? f.gbps : std::min(lowest, f.gbps);
    highest = measured == 0 ? f.gbps : std::max(highest, f.gbps);
    ++measured;
  }
  result.data[group] = per_test;
  result.data["ports"] = per_port;
  result.data["counts"] = counts;
  result.data["tests"] = plan.tests.size();
  result.data["flows"] = flows.size();
  result.data["measured_flows"] = measured;
  result.data["total_gbps"] = total;   // sum over every flow (rounds run one after another)
  if (measured > 0) {
    result.data["min_gbps"] = lowest;
    result.data["max_gbps"] = highest;
    result.data["mean_gbps"] = total / static_cast<double>(measured);
  }
  std::vector<std::string> parts;
  for (const auto& [status, n] : counts) parts.push_back(fmt::format("{} {}", n, status));
  result.message = fmt::format("{}: {} {}(s) in {} round(s): {}", plan.label, plan.tests.size(), noun, plan.rounds.size(),
                               parts.empty() ? "nothing to test" : join(parts, ", "));
  if (measured > 0) {
    result.message += fmt::format("; {} Gb/s in all, {}..{} Gb/s per flow", fmt_gbps(total), fmt_gbps(lowest), fmt_gbps(highest));
  }
  return result;
}

}  // namespace mixnet::coord
