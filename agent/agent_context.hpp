#pragma once
// Everything a request handler may touch, owned by the running agent (agent_app.cpp).
#include <cstdint>
#include <string>

#include "agent/agent_config.hpp"
#include "agent/async_wakeups.hpp"
#include "agent/event_journal.hpp"
#include "agent/link_watcher.hpp"
#include "agent/port_filter.hpp"
#include "agent/probe_service.hpp"
#include "agent/traffic/traffic_manager.hpp"
#include "hwdrivers/nic/netlink_links.hpp"

namespace mixnet::agent {

struct AgentContext {
  const AgentConfig& config;
  nic::NetlinkLinks& links;
  const PortFilter& filter;
  EventJournal& journal;
  LinkWatcher& watcher;
  ProbeService& probes;
  traffic::TrafficManager& traffic;
  AsyncWakeups& traffic_finished;   // woken (on the io_context) whenever a traffic run finishes
  std::int64_t start_time_ns = 0;
};

}  // namespace mixnet::agent
