#include "coordinator/modules/cabling_host_side.hpp"

#include <set>

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

std::vector<std::string> hosts_of_ports(const std::vector<PortRef>& ports) {
  std::set<std::string> hosts;
  for (const auto& p : ports) hosts.insert(p.host);
  return {hosts.begin(), hosts.end()};
}

}  // namespace

HostsAtStart read_hosts_at_start(AgentPool& pool, const std::vector<PortRef>& ports, std::int64_t deadline_ns) {
  HostsAtStart out;
  std::map<std::string, const wire::Inventory*> answered;
  auto replies = pool.inventory(hosts_of_ports(ports), deadline_ns);
  for (const auto& r : replies) {
    if (!r.ok()) out.unreachable.emplace(r.host, r.value.error());
    else answered[r.host] = &*r.value;
  }
  for (const auto& p : ports) {
    auto it = answered.find(p.host);
    if (it == answered.end()) continue;
    const auto& list = it->second->ports;
    auto port = std::find_if(list.begin(), list.end(), [&](const wire::PortInfo& i) { return i.name == p.port; });
    if (port == list.end()) {
      out.unmanaged.emplace(p, Error{Errc::not_found, fmt::format("{}: the agent does not manage port {}", p.host, p.port), "port"});
      continue;
    }
    out.admin_up[p] = port->admin_up;
  }
  return out;
}

std::map<PortRef, Error> set_transmitters(AgentPool& pool, const std::map<PortRef, bool>& admin_up, std::int64_t deadline_ns) {
  std::vector<ConfigureCall> calls;
  std::vector<PortRef> order;
  calls.reserve(admin_up.size());
  for (const auto& [port, up] : admin_up) {
    ConfigureCall c{.host = port.host, .port = port.port, .request = {}};
    c.request.admin_up = up;
    calls.push_back(std::move(c));
    order.push_back(port);
  }
  std::map<PortRef, Error> failed;
  auto replies = pool.configure(calls, deadline_ns);
  for (std::size_t i = 0; i < replies.size() && i < order.size(); ++i) {
    if (!replies[i].ok()) failed.emplace(order[i], replies[i].value.error());
  }
  return failed;
}

Result<void> NeighbourListener::mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  return reader_.mark(hosts, deadline_ns);
}

Result<std::vector<HeardNeighbour>> NeighbourListener::listen(const std::vector<std::string>& hosts, const std::vector<PortRef>& waiting_for,
                                                     std::int64_t deadline_ns, const std::atomic<bool>* cancel) {
  std::vector<HeardNeighbour> heard;
  std::set<PortRef> pending(waiting_for.begin(), waiting_for.end());
  // Turns the journals' new neighbour events into Heard, once each; true when nobody is left.
  std::map<std::string, std::size_t> taken;
  auto take = [&](const JournalReader::EventsByHost& events) {
    for (const auto& [host, list] : events) {
      auto& from = taken[host];
      for (; from < list.size(); ++from) {
        const auto& e = list[from];
        if (e.kind != "neighbor") continue;
        HeardNeighbour h{.receiver = PortRef{host, e.port}, .sender = PortRef{pool_.host_for_agent_id(e.neighbor_host), e.neighbor_port},
                .time_ns = e.time_ns};
        pending.erase(h.receiver);
        heard.push_back(std::move(h));
      }
    }
    return pending.empty();
  };
  JournalReader::EventsByHost events;
  auto done = reader_.watch_until(hosts, deadline_ns, events, take, cancel);
  if (!done) return std::unexpected(done.error());
  return heard;
}

}  // namespace mixnet::coord
