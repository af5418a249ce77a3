// mixnet-lab status: asks every agent for its ports (carrier) and the emulator for its circuits,
// and names each circuit by the NIC ports at its ends (through the inventory's cabling).
#include <cstdio>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/lab/http_call.hpp"
#include "tools/lab/lab_commands.hpp"
#include "tools/lab/lab_inventory.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct HostStatus {
  bool alive = false;
  std::map<std::string, bool> carrier;
};

struct SwitchStatus {
  bool alive = false;
  json circuits = json::array();
};

// A switch's circuits (GET /v1/connections), each named by the NIC ports at its ends through the
// inventory's cabling on that switch.
SwitchStatus ask_switch(const RunningLab& lab, const RunningSwitch& sw) {
  // Who sits on which of its ports: tx/port -> "h1:ocs0", rx -> "h1:ocs0".
  std::map<int, std::string> by_port;
  for (const auto& h : lab.hosts) {
    for (const auto& p : h.ports) {
      if (!p.ocs || p.switch_name != sw.name) continue;
      for (int n : {p.tx, p.rx, p.port}) {
        if (n != 0) by_port[n] = h.name + ":" + p.name;
      }
    }
  }
  SwitchStatus out;
  auto r = http_call("GET", sw.control_url + "/v1/connections", lab.token, "", 3s);
  if (!r || r->status != 200) return out;
  out.alive = true;
  const auto conns = json::parse(r->body, nullptr, false);
  if (!conns.is_array()) return out;
  for (const auto& c : conns) {
    const int from = c.value("from", 0), to = c.value("to", 0);
    out.circuits.push_back({{"from", from},
                            {"to", to},
                            {"from_port", by_port.contains(from) ? json(by_port[from]) : json(nullptr)},
                            {"to_port", by_port.contains(to) ? json(by_port[to]) : json(nullptr)},
                            {"bidirectional", c.value("bidirectional", false)},
                            {"active", c.value("active", true)}});
  }
  return out;
}

HostStatus ask_agent(const RunningLab& lab, const RunningHost& h) {
  HostStatus s;
  auto r = http_call("GET", h.agent_url + "/v1/inventory", lab.token, "", 3s, lab.tls);
  if (!r || r->status != 200) return s;
  const auto j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("ports")) return s;
  s.alive = true;
  for (const auto& p : j["ports"]) s.carrier[p.value("name", "")] = p.value("carrier", false);
  return s;
}

// The line rate `shape` gave the data ports, as the inventory states it: the rate when every port
// has one and they agree, and how many ports have any.
struct LineRate {
  std::optional<int> mbit;
  int shaped = 0, ports = 0;
};

LineRate line_rate_of(const RunningLab& lab) {
  LineRate out;
  std::optional<int> seen;
  bool uniform = true;
  for (const auto& h : lab.hosts) {
    for (const auto& p : h.ports) {
      ++out.ports;
      if (!p.speed_mbps) continue;
      ++out.shaped;
      if (seen && *seen != *p.speed_mbps) uniform = false;
      seen = p.speed_mbps;
    }
  }
  if (uniform && out.shaped == out.ports) out.mbit = seen;
  return out;
}

}  // namespace

int cmd_status(const LabRef& ref, bool as_json) {
  auto lab = read_running_lab(ref.resolved_dir());
  if (!lab) {
    std::fprintf(stderr, "mixnet-lab status: %s\n", lab.error().message.c_str());
    return 1;
  }
  std::vector<HostStatus> hosts(lab->hosts.size());
  {
    std::vector<std::thread> askers;
    for (std::size_t i = 0; i < lab->hosts.size(); ++i) {
      askers.emplace_back([&, i] { hosts[i] = ask_agent(*lab, lab->hosts[i]); });
    }
    for (auto& t : askers) t.join();
  }
  // Every switch (one per region) at once, as the agents.
  std::vector<SwitchStatus> switches(lab->switches.size());
  {
    std::vector<std::thread> askers;
    for (std::size_t i = 0; i < lab->switches.size(); ++i) {
      askers.emplace_back([&, i] { switches[i] = ask_switch(*lab, lab->switches[i]); });
    }
    for (auto& t : askers) t.join();
  }
  bool ocs_alive = true;
  for (const auto& s : switches) ocs_alive = ocs_alive && s.alive;

  if (as_json) {
    json sws = json::array();
    for (std::size_t i = 0; i < switches.size(); ++i) {
      sws.push_back({{"name", lab->switches[i].name},
                     {"alive", switches[i].alive},
                     {"url", lab->switches[i].control_url},
                     {"circuits", switches[i].circuits}});
    }
    const LineRate rate = line_rate_of(*lab);
    json out = {{"dir", lab->dir},
                {"plain_http", lab->plain_http},
                {"line_rate_mbit", rate.mbit ? json(*rate.mbit) : json(nullptr)},
                {"shaped_ports", rate.shaped},
                {"switches", sws}};
    json hs = json::array();
    for (std::size_t i = 0; i < lab->hosts.size(); ++i) {
      json ports = json::array();
      for (const auto& p : lab->hosts[i].ports) {
        ports.push_back({{"name", p.name},
                         {"cabling", p.cabling},
                         {"speed_mbps", p.speed_mbps ? json(*p.speed_mbps) : json(nullptr)},
                         {"carrier", hosts[i].carrier.contains(p.name) ? json(hosts[i].carrier[p.name]) : json(nullptr)}});
      }
      hs.push_back({{"name", lab->hosts[i].name}, {"agent", lab->hosts[i].agent_url}, {"alive", hosts[i].alive}, {"ports", ports}});
    }
    out["hosts"] = hs;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    if (lab->plain_http) {
      std::printf("WARNING: this lab's agents serve plain HTTP (mixnet-lab up --insecure-plain-http): the token crosses "
                  "the management network in clear\n");
    }
    std::printf("lab %s\n%-6s %-28s %-6s %s\n", lab->dir.c_str(), "HOST", "AGENT", "ALIVE", "PORTS (carrier: + up, - down, ? unknown)");
    for (std::size_t i = 0; i < lab->hosts.size(); ++i) {
      std::string ports;
      for (const auto& p : lab->hosts[i].ports) {
        const char mark = !hosts[i].carrier.contains(p.name) ? '?' : hosts[i].carrier[p.name] ? '+' : '-';
        ports += fmt::format("{}{} ", p.name, mark);
      }
      std::printf("%-6s %-28s %-6s %s\n", lab->hosts[i].name.c_str(), lab->hosts[i].agent_url.c_str(),
                  hosts[i].alive ? "yes" : "NO", ports.c_str());
    }
    for (std::size_t i = 0; i < switches.size(); ++i) {
      std::printf("OCS %s %s: %s, %zu circuits\n", lab->switches[i].name.c_str(), lab->switches[i].control_url.c_str(),
                  switches[i].alive ? "up" : "NOT ANSWERING", switches[i].circuits.size());
      for (const auto& c : switches[i].circuits) {
        const char* arrow = c["bidirectional"].get<bool>() ? "<->" : "->";
        std::printf("  %d %s %d   %s %s %s\n", c["from"].get<int>(), arrow, c["to"].get<int>(),
                    c["from_port"].is_null() ? "(uncabled)" : c["from_port"].get<std::string>().c_str(), arrow,
                    c["to_port"].is_null() ? "(uncabled)" : c["to_port"].get<std::string>().c_str());
      }
    }
  }
  if (!as_json) {
    const LineRate rate = line_rate_of(*lab);
    if (rate.mbit) {
      std::printf("line rate %d Mbit/s both ways on all %d data ports (mixnet-lab shape; a port's fault cap wins)\n",
                  *rate.mbit, rate.ports);
    } else if (rate.shaped > 0) {
      std::printf("line rate: %d of %d data ports shaped, at different rates (see --json)\n", rate.shaped, rate.ports);
    } else {
      std::printf("line rate: not shaped (mixnet-lab shape --mbit N)\n");
    }
  }
  bool all_alive = ocs_alive;
  for (const auto& h : hosts) all_alive = all_alive && h.alive;
  return all_alive ? 0 : 1;
}

}  // namespace mixnet::lab
