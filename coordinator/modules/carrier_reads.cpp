#include "coordinator/modules/carrier_reads.hpp"

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
    const auto colon = part.find(':');
    if (colon == std::string::npos) continue;
    const std::string host = part.substr(0, colon);
    const std::string name = part.substr(colon + 1);
    const health::HostCounters* b = before.find(host);
    const health::HostCounters* a = after.find(host);
    health::CarrierWindow w{.port = part, .kind = kind, .label = label};
    w.start_ns = b != nullptr && b->reply ? b->reply->time_ns : before.taken_ns;
    w.end_ns = a != nullptr && a->reply ? a->reply->time_ns : after.taken_ns;
    const wire::PortCounters* pb = find_port(b, name);
    const wire::PortCounters* pa = find_port(a, name);
    if (pb == nullptr) w.why = why_unread(b, "before");
    else if (pa == nullptr) w.why = why_unread(a, "after");
    if (pa != nullptr && pb != nullptr) {
      w.boot_id = a->reply->boot_id;
      for (const auto& d : health::port_counter_deltas(health::PortReading{b->reply->boot_id, pb}, health::PortReading{a->reply->boot_id, pa})) {
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

}  // namespace mixnet::coord
