#include "coordinator/traffic/traffic_verdict.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/agents/traffic_calls.hpp"

namespace mixnet::coord {

namespace {

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
    if (f.start_at_ns) d["start_at_ns"] = *f.start_at_ns;
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

// The item's status and the hosts it counts against: every end when ok, else those to blame.
void set_status(ItemResult& item, const std::vector<const Flow*>& flows, std::vector<std::string> ends) {
  item.status = worst_status(flows);
  item.hosts = item.status == item_status::ok ? std::move(ends) : blame(flows, std::move(ends));
}

}  // namespace

std::string fmt_gbps(double g) {
  if (g >= 1000) return fmt::format("{:.0f}", g);
  return fmt::format("{:.3g}", g);
}

void choose_line_rate(Flow& f, const TrafficRunArgs& args, const Inventory& inventory,
                      const std::map<PortRef, double>& live_gbps) {
  if (args.line_rate_gbps) {
    f.line_rate_gbps = *args.line_rate_gbps;
    f.line_rate_source = "line_rate_gbps";
    return;
  }
  const auto live_speed = [&](const PortRef& p) -> std::optional<double> {
    const auto it = live_gbps.find(p);
    if (it == live_gbps.end()) return std::nullopt;
    return it->second;
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

void judge(Flow& f, const TrafficRunArgs& args) {
  if (f.settled()) return;
  if (!f.client) return f.fail_as("no report of the sender's run");
  const wire::TrafficRunReport& c = *f.client;
  if (!traffic_run_finished(c)) {
    return f.fail_as(fmt::format("did not finish within the {} s timeout (state {}, {} Gb/s so far)", args.timeout_s, c.state,
                                 fmt_gbps(c.gbps)));
  }
  if (c.state != "done") {
    return f.fail_as(fmt::format("the sender's run {} {}: {}", c.id, c.state,
                                 c.errors.empty() ? std::string("no reason given") : fmt::format("{}", fmt::join(c.errors, "; "))));
  }
  if (c.bytes == 0 || c.gbps <= 0) return f.fail_as("no data delivered");
  f.measured = true;
  f.gbps = c.gbps;
  if (args.threshold) {
    if (!f.line_rate_gbps) {
      return f.fail_as(fmt::format("{} Gb/s, but the line rate is unknown (no speed_mbps from the agents or expect.speed_mbps "
                                   "in the inventory): give line_rate_gbps",
                                   fmt_gbps(f.gbps)));
    }
    const double want = *args.threshold * *f.line_rate_gbps;
    if (f.gbps < want) {
      return f.fail_as(fmt::format("{} Gb/s, below the threshold {} Gb/s ({}% of the {} Gb/s line rate, from {})",
                                   fmt_gbps(f.gbps), fmt_gbps(want), fmt_gbps(*args.threshold * 100),
                                   fmt_gbps(*f.line_rate_gbps), f.line_rate_source));
    }
  }
  f.status = std::string(item_status::ok);
  f.message = f.line_rate_gbps ? fmt::format("{}: {} Gb/s ({:.0f}% of {} Gb/s line rate)", f.label(), fmt_gbps(f.gbps),
                                             100 * f.gbps / *f.line_rate_gbps, fmt_gbps(*f.line_rate_gbps))
                               : fmt::format("{}: {} Gb/s", f.label(), fmt_gbps(f.gbps));
}

std::string_view test_noun(TrafficPattern pattern) { return pattern == TrafficPattern::circuits ? "circuit" : "pair"; }

ItemResult test_verdict(const TrafficTest& test, std::size_t round, const std::vector<const Flow*>& flows,
                        const TrafficRunArgs& args) {
  ItemResult item{.kind = test.kind, .id = test.id()};
  std::vector<std::string> ends = {test.a.host};
  if (test.b.host != test.a.host) ends.push_back(test.b.host);
  set_status(item, flows, std::move(ends));
  std::vector<std::string> messages;
  nlohmann::json flow_list = nlohmann::json::array();
  double total = 0;
  std::optional<double> lowest;
  bool all_measured = true;
  item.data = {{"a", test.a.str()}, {"b", test.b.str()}, {"round", round + 1}};
  for (const Flow* f : flows) {
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
  item.message = fmt::format("{}", fmt::join(messages, "; "));
  return item;
}

std::vector<ItemResult> port_verdicts(const std::vector<Flow>& flows) {
  std::map<PortRef, std::vector<const Flow*>> by_port;
  for (const auto& f : flows) {
    by_port[f.from].push_back(&f);
    by_port[f.to].push_back(&f);
  }
  std::vector<ItemResult> items;
  for (const auto& [port, mine] : by_port) {
    ItemResult item{.kind = "port", .id = port.str()};
    set_status(item, mine, {port.host});
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
    item.message = fmt::format("{}", fmt::join(parts, "; "));
    item.data = {{"sent_gbps", sent}, {"received_gbps", received}, {"flows", mine.size()}};
    if (tx) item.data["tx_gbps"] = *tx;   // the lowest rate it sent at
    if (rx) item.data["rx_gbps"] = *rx;   // the lowest rate it received at
    items.push_back(std::move(item));
  }
  return items;
}

void TrafficTally::add_test(const ItemResult& item) {
  counts[item.status] += 1;
  nlohmann::json summary = {{"status", item.status}, {"total_gbps", item.data.at("total_gbps")}, {"round", item.data.at("round")}};
  for (const char* k : {"gbps", "a_to_b_gbps", "b_to_a_gbps"}) {
    if (item.data.contains(k)) summary[k] = item.data.at(k);
  }
  tests[item.id] = summary;
}

void TrafficTally::add_port(const ItemResult& item) {
  nlohmann::json summary = {{"status", item.status}};
  for (const char* k : {"tx_gbps", "rx_gbps"}) {
    if (item.data.contains(k)) summary[k] = item.data.at(k);
  }
  ports[item.id] = summary;
}

void finish_step(StepResult& result, const TrafficTally& tally, const std::vector<Flow>& flows, const TrafficPlan& plan,
                 const TrafficRunArgs& args) {
  double total = 0, lowest = 0, highest = 0;
  std::size_t measured = 0;
  for (const auto& f : flows) {
    if (!f.measured) continue;
    total += f.gbps;
    lowest = measured == 0 ? f.gbps : std::min(lowest, f.gbps);
    highest = measured == 0 ? f.gbps : std::max(highest, f.gbps);
    ++measured;
  }
  const std::string_view noun = test_noun(args.pattern);
  result.data[std::string(noun) + "s"] = tally.tests;
  result.data["ports"] = tally.ports;
  result.data["counts"] = tally.counts;
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
  for (const auto& [status, n] : tally.counts) parts.push_back(fmt::format("{} {}", n, status));
  result.message = fmt::format("{}: {} {}(s) in {} round(s): {}", plan.label, plan.tests.size(), noun, plan.rounds.size(),
                               parts.empty() ? std::string("nothing to test") : fmt::format("{}", fmt::join(parts, ", ")));
  if (measured > 0) {
    result.message += fmt::format("; {} Gb/s in all, {}..{} Gb/s per flow", fmt_gbps(total), fmt_gbps(lowest), fmt_gbps(highest));
  }
}

}  // namespace mixnet::coord
