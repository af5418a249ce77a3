#include "coordinator/modules/carrier_reads.hpp"

#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/agents/counters_calls.hpp"
#include "coordinator/health/counter_delta.hpp"

namespace mixnet::coord {

namespace {

const wire::PortCounters* find_port(const health::HostCounters* h, const std::string& name) {
  if (h == nullptr || !h->reply) return nullptr;
  for (const auto& p : h->reply->ports) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string why_unread(const health::HostCounters* h, const char* which) {
  if (h == nullptr) return std::string("not read ") + which;
  if (!h->reply) return std::string("read ") + which + " failed: " + (h->error ? h->error->message : std::string("no reply"));
  return std::string("the agent did not report the port ") + which;
}

// One port ("h1:ocs0") in two readings: its host's answers and its own counters in each, or why
// one is missing.
struct PortReadings {
  const health::HostCounters* before = nullptr;
  const health::HostCounters* after = nullptr;
  const wire::PortCounters* port_before = nullptr;
  const wire::PortCounters* port_after = nullptr;
  std::string unread;   // non-empty: a reading has no figure for the port, and why

  [[nodiscard]] std::vector<health::CounterDelta> deltas() const {
    return health::port_counter_deltas(health::PortReading{before->reply->boot_id, port_before},
                                       health::PortReading{after->reply->boot_id, port_after});
  }
};

std::optional<PortReadings> readings_of(const health::CounterSnapshot& before, const health::CounterSnapshot& after,
                                        const std::string& part) {
  const auto colon = part.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string host = part.substr(0, colon);
  const std::string name = part.substr(colon + 1);
  PortReadings r{.before = before.find(host), .after = after.find(host)};
  r.port_before = find_port(r.before, name);
  r.port_after = find_port(r.after, name);
  if (r.port_before == nullptr) r.unread = why_unread(r.before, "before");
  else if (r.port_after == nullptr) r.unread = why_unread(r.after, "after");
  return r;
}

}  // namespace

health::CounterSnapshot read_counter_snapshot(AgentPool& pool, const std::vector<std::string>& hosts, const std::string& run_id,
                                              std::int64_t deadline_ns) {
  health::CounterSnapshot snapshot;
  snapshot.run_id = run_id;
  snapshot.taken_ns = realtime_ns();
  for (auto& reply : read_agent_counters(pool, hosts, deadline_ns)) {
    health::HostCounters h{.host = reply.host, .reply = std::nullopt, .error = std::nullopt};
    if (reply.value) h.reply = std::move(*reply.value);
    else h.error = reply.value.error();
    snapshot.hosts.push_back(std::move(h));
  }
  return snapshot;
}

std::vector<health::CarrierWindow> carrier_windows(const health::CounterSnapshot& before, const health::CounterSnapshot& after,
                                                   const std::vector<std::string>& ports, health::CarrierWindowKind kind,
                                                   const std::string& label) {
  std::vector<health::CarrierWindow> out;
  for (const auto& part : ports) {
    const auto r = readings_of(before, after, part);
    if (!r) continue;
    health::CarrierWindow w{.port = part, .kind = kind, .label = label};
    w.start_ns = r->before != nullptr && r->before->reply ? r->before->reply->time_ns : before.taken_ns;
    w.end_ns = r->after != nullptr && r->after->reply ? r->after->reply->time_ns : after.taken_ns;
    w.why = r->unread;
    if (r->unread.empty()) {
      w.boot_id = r->after->reply->boot_id;
      for (const auto& d : r->deltas()) {
        if (d.counter != wire::kCarrierChangesCounter) continue;
        w.changes = d.delta;
        if (!d.delta) w.why = d.why;
      }
      if (!w.changes && w.why.empty()) w.why = "no carrier_changes counter on this port";
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<PortErrorGrowth> error_growth(const health::CounterSnapshot& before, const health::CounterSnapshot& after,
                                          const std::vector<std::string>& ports) {
  std::vector<PortErrorGrowth> out;
  for (const auto& part : ports) {
    const auto r = readings_of(before, after, part);
    if (!r) continue;
    PortErrorGrowth g{.port = part, .grew = {}, .reset = {}, .unread = r->unread};
    if (g.unread.empty()) {
      for (const auto& d : r->deltas()) {
        if (d.counter == wire::kCarrierChangesCounter || health::counter_unit(d.counter) != "count") continue;
        if (!d.delta) {
          // Readable before, not after: no figure, said (a counter that only now appeared has
          // nothing to count from and is not a loss).
          if (!d.after) g.lost[d.counter] = d.why;
          continue;
        }
        if (*d.delta > 0) g.grew[d.counter] = *d.delta;
        if (d.reset != health::CounterReset::none) g.reset.push_back(fmt::format("{} ({})", d.counter, health::to_string(d.reset)));
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string describe_error_growth(const std::vector<PortErrorGrowth>& growth) {
  std::vector<std::string> said;
  for (const auto& g : growth) {
    if (!g.unread.empty()) {
      said.push_back(fmt::format("{} unread ({})", g.port, g.unread));
      continue;
    }
    if (g.grew.empty() && g.lost.empty()) continue;
    std::vector<std::string> grew;
    for (const auto& [counter, n] : g.grew) grew.push_back(fmt::format("{} +{}", counter, n));
    for (const auto& [counter, why] : g.lost) grew.push_back(fmt::format("{} no figure ({})", counter, why));
    said.push_back(fmt::format("{} {}", g.port, fmt::join(grew, ", ")));
  }
  return fmt::format("{}", fmt::join(said, "; "));
}

nlohmann::json error_growth_json(const std::vector<PortErrorGrowth>& growth) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& g : growth) {
    nlohmann::json port = {{"grew", g.grew}};
    if (!g.reset.empty()) port["counted_from_reset"] = g.reset;
    if (!g.lost.empty()) port["no_figure"] = g.lost;
    if (!g.unread.empty()) port = {{"unread", g.unread}};
    out[g.port] = std::move(port);
  }
  return out;
}

}  // namespace mixnet::coord
