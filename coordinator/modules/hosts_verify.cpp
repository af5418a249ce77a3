#include "coordinator/modules/hosts_verify.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

constexpr double kHostsVerifyDeadlineS = 10.0;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::vector<std::string> port_drift(const HostPort& want, const wire::PortInfo& got) {
  std::vector<std::string> problems;
  if (want.mac && lower(*want.mac) != lower(got.mac)) {
    problems.push_back(fmt::format("MAC is {}, the inventory says {}", got.mac, *want.mac));
  }
  if (want.expect.mtu && static_cast<std::uint32_t>(*want.expect.mtu) != got.mtu) {
    problems.push_back(fmt::format("MTU is {}, expected {}", got.mtu, *want.expect.mtu));
  }
  if (want.expect.speed_mbps) {
    if (!got.speed_mbps) {
      problems.push_back(fmt::format("speed is unknown (no carrier, or the driver does not say), expected {} Mb/s",
                                     *want.expect.speed_mbps));
    } else if (static_cast<std::int64_t>(*got.speed_mbps) != *want.expect.speed_mbps) {
      problems.push_back(fmt::format("speed is {} Mb/s, expected {} Mb/s", *got.speed_mbps, *want.expect.speed_mbps));
    }
  }
  return problems;
}

std::vector<std::string> host_drift(const Host& want, const wire::Inventory& got) {
  std::vector<std::string> problems;
  if (got.host_id != want.name) {
    problems.push_back(fmt::format("the agent calls itself '{}' (its --host-id), the inventory '{}': identity probes "
                                   "would name the wrong host",
                                   got.host_id, want.name));
  }
  std::vector<std::string> unknown;
  for (const auto& p : got.ports) {
    if (want.find_port(p.name) == nullptr) unknown.push_back(p.name);
  }
  std::sort(unknown.begin(), unknown.end());
  if (!unknown.empty()) {
    problems.push_back("the agent manages ports the inventory does not list: " + fmt::format("{}", fmt::join(unknown, ", ")));
  }
  return problems;
}

Result<std::vector<std::string>> selected_hosts(const nlohmann::json& args, const Inventory& inventory) {
  std::vector<std::string> hosts;
  const auto it = args.is_object() ? args.find("hosts") : args.end();
  if (!args.is_object() || it == args.end() || it->is_null()) {
    for (const auto& h : inventory.hosts) hosts.push_back(h.name);
    return hosts;
  }
  if (!it->is_array()) return fail(Errc::invalid_argument, "must be a list of host names", "hosts");
  for (const auto& v : *it) {
    if (!v.is_string()) return fail(Errc::invalid_argument, "must be a list of host names", "hosts");
    const auto name = v.get<std::string>();
    if (inventory.find_host(name) == nullptr) return fail(Errc::invalid_argument, "unknown host '" + name + "'", "hosts");
    if (std::find(hosts.begin(), hosts.end(), name) == hosts.end()) hosts.push_back(name);
  }
  return hosts;
}

Result<void> HostsVerifyModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"hosts", "deadline"}); !ok) return ok;
  if (args.is_object() && args.contains("hosts") && !is_templated(args["hosts"])) {
    if (auto h = selected_hosts(args, vc.inventory); !h) return std::unexpected(h.error());
  }
  if (!module_args::templated(args, "deadline")) {
    if (auto v = module_args::number_arg(args, "deadline", 0.1, 600); !v) return std::unexpected(v.error());
  }
  return {};
}

StepResult HostsVerifyModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  auto hosts = selected_hosts(args, ctx.inventory);
  if (!hosts) return module_args::step_error(hosts.error());
  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  const double deadline_s = module_args::number_arg(args, "deadline", 0.1, 600)->value_or(kHostsVerifyDeadlineS);
  const std::int64_t deadline = std::min(monotonic_ns() + static_cast<std::int64_t>(deadline_s * 1e9), ctx.deadline_ns);

  const std::int64_t started = realtime_ns();
  const auto replies = (*pool)->inventory(*hosts, deadline);

  std::map<std::string, int> counts;
  auto record = [&](ItemResult item) {
    item.started_ns = started;
    item.finished_ns = realtime_ns();
    counts[item.status] += 1;
    ctx.sink.record(item);
  };

  for (const auto& reply : replies) {
    const Host* host = ctx.inventory.find_host(reply.host);
    if (host == nullptr) continue;   // selected_hosts only returns inventory hosts
    if (!reply.ok()) {
      record({.kind = "host", .id = host->name, .status = std::string(item_status::unreachable),
              .message = reply.value.error().message, .data = {{"url", host->agent.url}}});
      for (const auto& p : host->ports) {
        record({.kind = "port", .id = host->name + ":" + p.name, .status = std::string(item_status::unreachable),
                .message = "the agent of " + host->name + " does not answer"});
      }
      continue;
    }
    const wire::Inventory& got = *reply.value;
    std::map<std::string, const wire::PortInfo*> reported;
    for (const auto& p : got.ports) reported[p.name] = &p;

    const auto host_problems = host_drift(*host, got);
    ItemResult host_item{.kind = "host", .id = host->name, .data = {{"host_id", got.host_id}, {"ports", got.ports.size()}}};
    host_item.status = host_problems.empty() ? std::string(item_status::ok) : std::string(item_status::failed);
    host_item.message = host_problems.empty() ? fmt::format("agent answers, {} port(s)", got.ports.size())
                                              : fmt::format("{}", fmt::join(host_problems, "; "));
    record(std::move(host_item));

    for (const auto& want : host->ports) {
      ItemResult item{.kind = "port", .id = host->name + ":" + want.name};
      const auto it = reported.find(want.name);
      if (it == reported.end()) {
        item.status = std::string(item_status::failed);
        item.message = "the agent does not report this port (missing netdev, or not in its --ports)";
        record(std::move(item));
        continue;
      }
      const wire::PortInfo& info = *it->second;
      item.data = {{"mac", info.mac}, {"mtu", info.mtu}, {"oper_state", info.oper_state}};
      if (info.speed_mbps) item.data["speed_mbps"] = *info.speed_mbps;
      const auto problems = port_drift(want, info);
      item.status = problems.empty() ? std::string(item_status::ok) : std::string(item_status::failed);
      item.message = problems.empty() ? fmt::format("present, {}, MTU {}", info.oper_state, info.mtu) : fmt::format("{}", fmt::join(problems, "; "));
      record(std::move(item));
    }
  }

  StepResult result;
  result.data = {{"hosts", hosts->size()}, {"counts", counts}};
  std::vector<std::string> parts;
  for (const auto& [status, n] : counts) parts.push_back(fmt::format("{} {}", n, status));
  result.message = fmt::format("{} host(s): {}", hosts->size(), parts.empty() ? std::string("nothing checked") : fmt::format("{}", fmt::join(parts, ", ")));
  return result;
}

}  // namespace mixnet::coord
