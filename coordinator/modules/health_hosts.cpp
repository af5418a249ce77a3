#include "coordinator/modules/health_hosts.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "common/version.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/clock_sampler.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/rdma_drift.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/modules/hosts_verify.hpp"

namespace mixnet::coord {

namespace {

using health::Finding;
using health::Observation;
using health::PartKind;
using health::Severity;

constexpr double kHealthHostsDeadlineS = 10.0;
constexpr double kDefaultMaxClockOffsetMs = 100.0;
constexpr int kClockRounds = 3;
constexpr const char* kSource = "health.hosts";

struct HostsCheck {
  StepContext& ctx;
  health::HealthLedger& ledger;
  std::int64_t started = realtime_ns();
  std::map<std::string, int> counts;

  void observe(PartKind kind, const std::string& part, const std::string& figure, std::optional<double> value, const std::string& unit,
               const std::string& why_missing = {}) {
    ledger.add(Observation{.kind = kind, .part = part, .figure = figure, .value = value, .unit = unit, .source = kSource,
                           .why_missing = why_missing, .at_ns = realtime_ns()});
  }
  void find(Severity severity, PartKind kind, const std::string& part, const std::string& figure, const std::string& rule,
            const std::string& message, std::optional<double> value = {}, std::optional<double> reference = {}) {
    ledger.add(Finding{.severity = severity, .kind = kind, .part = part, .figure = figure, .rule = rule, .message = message,
                       .value = value, .reference = reference});
  }
  void record(ItemResult item) {
    item.started_ns = started;
    item.finished_ns = realtime_ns();
    counts[item.status] += 1;
    ctx.sink.record(item);
  }
};

// RDMA ports: what the agent reports, kept as observations whether or not the inventory states
// expectations (the figures show in reports and trends).
void observe_rdma(HostsCheck& check, const std::string& port_id, const wire::PortInfo& info) {
  for (const auto& r : info.rdma) {
    check.observe(PartKind::port, port_id, "rdma_gid_count", static_cast<double>(r.gids.size()), "count");
    check.observe(PartKind::port, port_id, "rdma_port_active", r.state_name == "ACTIVE" ? 1.0 : 0.0, "bool");
  }
}

void check_host(HostsCheck& check, const Host& host, const wire::Inventory& got) {
  check.observe(PartKind::host, host.name, "agent_reachable", 1.0, "bool");
  const auto host_problems = host_drift(host, got);
  for (const auto& p : host_problems) check.find(Severity::critical, PartKind::host, host.name, "inventory", "inventory-drift", p);
  ItemResult host_item{.kind = "host", .id = host.name, .data = {{"host_id", got.host_id}, {"ports", got.ports.size()}}};
  host_item.status = std::string(host_problems.empty() ? item_status::ok : item_status::failed);
  host_item.message = host_problems.empty() ? fmt::format("agent answers, {} port(s)", got.ports.size())
                                            : fmt::format("{}", fmt::join(host_problems, "; "));
  check.record(std::move(host_item));

  for (const auto& want : host.ports) {
    const std::string id = host.name + ":" + want.name;
    const auto it = std::find_if(got.ports.begin(), got.ports.end(), [&](const wire::PortInfo& p) { return p.name == want.name; });
    std::vector<std::string> problems;
    std::vector<std::string> warnings;
    if (it == got.ports.end()) {
      problems.push_back("the agent does not report this port (missing netdev, or not in its --ports)");
    } else {
      problems = port_drift(want, *it);
      if (it->speed_mbps) check.observe(PartKind::port, id, "speed_mbps", static_cast<double>(*it->speed_mbps), "Mb/s");
      observe_rdma(check, id, *it);
    }
    for (const auto& p : problems) check.find(Severity::critical, PartKind::port, id, "inventory", health::kDriftRule, p);
    // RDMA expectations: critical and unknown fail the port, a warning (firmware) passes with it
    // as the message, as ocs.power's items do.
    if (want.rdma && it != got.ports.end()) {
      for (auto& f : health::rdma_drift(id, *want.rdma, *it, got.rdma)) {
        (f.severity == Severity::warning ? warnings : problems).push_back(f.message);
        check.ledger.add(std::move(f));
      }
    }
    ItemResult item{.kind = "port", .id = id};
    item.status = std::string(problems.empty() ? item_status::ok : item_status::failed);
    if (!problems.empty()) {
      item.message = fmt::format("{}", fmt::join(problems, "; "));
    } else {
      item.message = warnings.empty() ? "matches the inventory" : fmt::format("warning: {}", fmt::join(warnings, "; "));
    }
    check.record(std::move(item));
  }
}

}  // namespace

Result<void> HealthHostsModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"hosts", "deadline", "max_clock_offset_ms"}); !ok) return ok;
  if (args.is_object() && args.contains("hosts") && !is_templated(args["hosts"])) {
    if (auto h = selected_hosts(args, vc.inventory); !h) return std::unexpected(h.error());
  }
  if (!module_args::templated(args, "deadline")) {
    if (auto v = module_args::number_arg(args, "deadline", 0.1, 600); !v) return std::unexpected(v.error());
  }
  if (!module_args::templated(args, "max_clock_offset_ms")) {
    if (auto v = module_args::number_arg(args, "max_clock_offset_ms", 0.001, 3.6e6); !v) return std::unexpected(v.error());
  }
  return {};
}

StepResult HealthHostsModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  auto hosts = selected_hosts(args, ctx.inventory);
  if (!hosts) return module_args::step_error(hosts.error());
  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  const double deadline_s = module_args::number_arg(args, "deadline", 0.1, 600)->value_or(kHealthHostsDeadlineS);
  const double max_offset_ms = module_args::number_arg(args, "max_clock_offset_ms", 0.001, 3.6e6)->value_or(kDefaultMaxClockOffsetMs);
  const std::int64_t deadline = std::min(monotonic_ns() + static_cast<std::int64_t>(deadline_s * 1e9), ctx.deadline_ns);

  HostsCheck check{.ctx = ctx, .ledger = health::ledger_of(ctx.state)};
  std::vector<std::string> reachable;
  for (const auto& reply : (*pool)->inventory(*hosts, deadline)) {
    const Host* host = ctx.inventory.find_host(reply.host);
    if (host == nullptr) continue;   // selected_hosts only returns inventory hosts
    if (!reply.ok()) {
      check.ledger.add_unreachable(host->name);
      check.observe(PartKind::host, host->name, "agent_reachable", std::nullopt, "bool", reply.value.error().message);
      check.find(Severity::critical, PartKind::host, host->name, "agent_reachable", "agent-unreachable",
                 "the agent does not answer: " + reply.value.error().message);
      check.record({.kind = "host", .id = host->name, .status = std::string(item_status::unreachable),
                    .message = reply.value.error().message, .data = {{"url", host->agent.url}}});
      continue;
    }
    reachable.push_back(host->name);
    check_host(check, *host, *reply.value);
  }

  // The agents' versions: another version than ours is worth a warning (a half-done upgrade).
  for (const auto& reply : (*pool)->health(reachable, deadline)) {
    if (!reply.ok()) continue;
    if (reply.value->version != version()) {
      check.find(Severity::warning, PartKind::host, reply.host, "agent_version", "agent-version",
                 fmt::format("agent version {}, coordinator {}", reply.value->version, version()));
    }
  }

  // Clock offsets: the run's timestamps are only as good as the alignment.
  const auto clocks = align_clocks(**pool, reachable, kClockRounds, deadline);
  for (const auto& host : reachable) {
    const auto it = clocks.offsets.find(host);
    if (it == clocks.offsets.end()) {
      const auto err = clocks.errors.find(host);
      const std::string why = err != clocks.errors.end() ? err->second : std::string("no usable clock sample");
      check.observe(PartKind::host, host, "clock_offset_ms", std::nullopt, "ms", why);
      check.find(Severity::warning, PartKind::host, host, "clock_offset_ms", "clock-offset", "clock offset unknown: " + why);
      continue;
    }
    const double offset_ms = static_cast<double>(it->second.offset_ns) / 1e6;
    check.observe(PartKind::host, host, "clock_offset_ms", offset_ms, "ms");
    if (std::abs(offset_ms) > max_offset_ms) {
      check.find(Severity::warning, PartKind::host, host, "clock_offset_ms", "clock-offset",
                 fmt::format("clock offset {:.3f} ms, more than {} ms", offset_ms, max_offset_ms), offset_ms, max_offset_ms);
    }
    if (!it->second.consistent) {
      check.find(Severity::warning, PartKind::host, host, "clock_offset_ms", "clock-offset",
                 "the clock stepped while it was sampled (NTP?): the offset is not one number");
    }
  }

  StepResult result;
  result.data = {{"hosts", hosts->size()}, {"reachable", reachable.size()}, {"counts", check.counts}};
  std::vector<std::string> parts;
  for (const auto& [status, n] : check.counts) parts.push_back(fmt::format("{} {}", n, status));
  result.message = fmt::format("{} host(s), {} reachable: {}", hosts->size(), reachable.size(), fmt::join(parts, ", "));
  return result;
}

}  // namespace mixnet::coord
