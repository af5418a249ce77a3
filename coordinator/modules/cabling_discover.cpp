#include "coordinator/modules/cabling_discover.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/clock_sampler.hpp"
#include "coordinator/cli/inventory_json.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/optical_power.hpp"
#include "coordinator/model/cabling_diff.hpp"
#include "coordinator/model/corrected_inventory.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/modules/cabling_stages.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace {

constexpr double kDefaultLinkTimeoutS = 3.0;
constexpr double kDefaultSettleMs = 100.0;

struct DiscoverArgs {
  std::optional<std::string> only_switch;
  std::optional<std::string> out;
  StageBudget budget;
};

Result<DiscoverArgs> parse_discover_args(const nlohmann::json& args, const Inventory& inventory) {
  if (auto ok = module_args::only_keys(args, {"switch", "out", "link_timeout", "settle_ms"}); !ok) return std::unexpected(ok.error());
  DiscoverArgs out;
  auto sw = module_args::string_arg(args, "switch");
  if (!sw) return std::unexpected(sw.error());
  if (*sw) {
    const Switch* s = inventory.find_switch(**sw);
    if (s == nullptr || s->kind != SwitchKind::ocs) return fail(Errc::invalid_argument, "no OCS switch named '" + **sw + "' in the inventory", "switch");
    out.only_switch = **sw;
  }
  auto path = module_args::string_arg(args, "out");
  if (!path) return std::unexpected(path.error());
  if (*path) {
    if (path->value().empty() || path->value().front() != '/') return fail(Errc::invalid_argument, "must be an absolute path", "out");
    if (!inventory.path.empty() && std::filesystem::path(**path).lexically_normal() == std::filesystem::path(inventory.path).lexically_normal()) {
      return fail(Errc::invalid_argument, "must not be the inventory itself (the found map is written beside it, for review)", "out");
    }
    out.out = **path;
  }
  auto timeout = module_args::number_arg(args, "link_timeout", 0.05, 600.0);
  if (!timeout) return std::unexpected(timeout.error());
  out.budget.link_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout->value_or(kDefaultLinkTimeoutS) * 1000.0));
  auto settle = module_args::number_arg(args, "settle_ms", 0.0, 60000.0);
  if (!settle) return std::unexpected(settle.error());
  out.budget.settle = std::chrono::milliseconds(static_cast<std::int64_t>(settle->value_or(kDefaultSettleMs)));
  return out;
}

// The inventory's ports on each OCS under test, in inventory order.
std::map<std::string, std::vector<PortRef>> ports_by_switch(const Inventory& inventory, const std::optional<std::string>& only) {
  std::map<std::string, std::vector<PortRef>> out;
  for (const auto& sw : inventory.switches) {
    if (sw.kind == SwitchKind::ocs && (!only || sw.name == *only)) out[sw.name] = inventory.ocs_ports(sw.name);
  }
  return out;
}

ItemResult discovery_item(const PortRef& port, std::string status, std::string message, nlohmann::json data, std::int64_t started_ns) {
  ItemResult it;
  it.kind = "port";
  it.id = port.str();
  it.status = std::move(status);
  it.message = std::move(message);
  it.data = std::move(data);
  it.started_ns = started_ns;
  it.finished_ns = realtime_ns();
  return it;
}

// What the discovery learnt on one switch, as a map; and why each other port was not found.
void collect_found(const SwitchDiscovery& d, CablingMap& found, std::map<PortRef, std::pair<std::string, std::string>>& missing) {
  for (std::size_t k = 0; k < d.nics.size(); ++k) {
    const PortRef& port = d.nics[k];
    const auto nic = static_cast<cabling::NicIndex>(k);
    if (d.failure) {
      missing[port] = {std::string(item_status::failed), d.failure->message};
      continue;
    }
    auto in = d.inputs.found.find(nic);
    if (in == d.inputs.found.end()) {
      const bool unlit = std::find(d.inputs.unlit.begin(), d.inputs.unlit.end(), nic) != d.inputs.unlit.end();
      missing[port] = unlit ? std::pair{std::string(item_status::dark),
                                        fmt::format("{}: its light reached no input of {} in any of {} rounds (a dark transceiver, a bad "
                                                    "fibre, or not cabled to this switch)",
                                                    port.str(), d.switch_name, d.plan.rounds)}
                            : std::pair{std::string(item_status::failed),
                                        fmt::format("{}: its light pattern showed at more than one input of {}", port.str(), d.switch_name)};
      continue;
    }
    OcsCabling c;
    c.switch_name = d.switch_name;
    if (d.sw->any_to_any()) {
      c.port = in->second;
      found.set(port, c);
      continue;
    }
    auto out = d.outputs.find(nic);
    if (out == d.outputs.end()) {
      auto why = d.unresolved.find(nic);
      missing[port] = {std::string(item_status::dark),
                       fmt::format("{}: transmits into input {} of {}, but no output brought light back to it ({})", port.str(), in->second,
                                   d.switch_name, why == d.unresolved.end() ? "not searched" : why->second)};
      continue;
    }
    c.tx = in->second;
    c.rx = out->second;
    found.set(port, c);
  }
}

}  // namespace

Result<void> CablingDiscoverModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  // A templated value is known only at run time, where run() checks it again.
  if (is_templated(args)) return module_args::only_keys(args, {"switch", "out", "link_timeout", "settle_ms"});
  auto parsed = parse_discover_args(args, vc.inventory);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

StepResult CablingDiscoverModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto parsed = parse_discover_args(args, ctx.inventory);
  if (!parsed) return module_args::step_error(parsed.error());
  DiscoverArgs a = std::move(*parsed);
  a.budget.deadline_ns = ctx.deadline_ns;
  a.budget.cancel = &ctx.cancel;
  const std::int64_t started_ns = realtime_ns();
  const auto by_switch = ports_by_switch(ctx.inventory, a.only_switch);
  std::vector<PortRef> all_ports;
  for (const auto& [sw, ports] : by_switch) all_ports.insert(all_ports.end(), ports.begin(), ports.end());
  if (all_ports.empty()) return StepResult::failure("no NIC port of the inventory is cabled to " + (a.only_switch ? *a.only_switch : "an OCS"));

  if (ctx.check_mode) {
    StepResult r;
    r.changed = true;
    r.message = fmt::format("would discover the cabling of {} NIC port(s) on {} switch(es), switching their transmitters and re-patching the "
                            "switches (then putting both back)",
                            all_ports.size(), by_switch.size());
    return r;
  }
  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  auto switch_pool = ctx.switches();
  if (!switch_pool) return module_args::step_error(switch_pool.error());
  AgentPool& agents = **pool;

  // Who can take part: hosts whose agents answer and manage the port.
  ctx.sink.note(fmt::format("asking {} port(s)' agents", all_ports.size()));
  const auto start = read_hosts_at_start(agents, all_ports, ctx.deadline_ns);
  std::set<std::string> answering;
  for (const auto& p : all_ports) {
    if (!start.unreachable.contains(p.host)) answering.insert(p.host);
  }
  const std::vector<std::string> reachable(answering.begin(), answering.end());
  // The agents' clocks, so a neighbour heard is placed against the switch's acknowledgement.
  sample_clocks(agents, reachable, 3, ctx.deadline_ns);

  std::map<PortRef, std::pair<std::string, std::string>> missing;   // port -> status, message
  std::vector<SwitchDiscovery> switches;
  for (const auto& [name, ports] : by_switch) {
    SwitchDiscovery d;
    d.switch_name = name;
    const Switch* inv_switch = ctx.inventory.find_switch(name);
    d.dark_dbm = health::power_limits_for(*inv_switch, "").dark_dbm;
    for (const auto& p : ports) {
      if (auto it = start.unreachable.find(p.host); it != start.unreachable.end()) {
        missing[p] = {std::string(item_status::unreachable), fmt::format("{}: its agent did not answer ({}), so it cannot be switched or heard",
                                                                         p.host, it->second.message)};
      } else if (auto un = start.unmanaged.find(p); un != start.unmanaged.end()) {
        missing[p] = {std::string(item_status::unreachable), un->second.message};
      } else {
        // The inventory's output for the port, if it has one on this switch: tried first.
        const HostPort* hp = *ctx.inventory.find_port(p);
        if (hp->ocs && hp->ocs->rx) d.inventory_outputs[static_cast<cabling::NicIndex>(d.nics.size())] = *hp->ocs->rx;
        d.nics.push_back(p);
      }
    }
    if (!d.nics.empty()) {
      auto driver = (*switch_pool)->get(name);
      if (!driver) d.failure = driver.error();
      else if (auto sw = open_switch_under_test(name, **driver); !sw) d.failure = sw.error();
      else d.sw = std::move(*sw);
    }
    switches.push_back(std::move(d));
  }

  // Stage 1: inputs; then every port's transmitter on, for the loopbacks.
  ctx.sink.note("stage 1: transmitter patterns and power sweeps");
  const auto switched = run_input_stage(agents, switches, a.budget);
  std::map<PortRef, bool> all_on;
  for (const auto& d : switches) {
    for (const auto& p : d.nics) all_on[p] = true;
  }
  auto on_failed = set_transmitters(agents, all_on, ctx.deadline_ns);
  // Stage 2: outputs.
  ctx.sink.note("stage 2: loopback circuits");
  auto outputs = run_output_stage(agents, switches, a.budget);
  // Put back what discovery changed: the circuits, then the ports' admin states.
  std::vector<std::string> restore_errors;
  for (auto& d : switches) {
    if (!d.sw) continue;
    if (auto ok = restore_circuits(*d.sw, d.circuits); !ok) restore_errors.push_back(ok.error().message);
    d.finished_ns = realtime_ns();
  }
  for (const auto& [port, error] : set_transmitters(agents, start.admin_up, ctx.deadline_ns)) {
    restore_errors.push_back(fmt::format("{}: admin state not put back: {}", port.str(), error.message));
  }

  CablingMap found;
  for (const auto& d : switches) collect_found(d, found, missing);
  for (const auto& [port, error] : switched) {
    if (!found.find(port)) missing[port] = {std::string(item_status::unreachable), fmt::format("{}: its transmitter could not be switched: {}", port.str(), error.message)};
  }
  for (const auto& [port, error] : on_failed) {
    if (!found.find(port) && !missing.contains(port)) missing[port] = {std::string(item_status::unreachable), error.message};
  }

  StepResult result;
  result.changed = true;
  auto diff = diff_cabling(ctx.inventory, found, a.only_switch ? std::optional<std::string_view>(*a.only_switch) : std::nullopt);
  if (!diff) return module_args::step_error(diff.error().context("compare the found map with the inventory"));
  std::map<PortRef, const CablingDifference*> differs;
  for (const auto& dd : diff->differences) differs[dd.port] = &dd;
  std::vector<ItemResult> items;
  std::size_t wrong = 0;
  for (const auto& port : all_ports) {
    if (const OcsCabling* f = found.find(port)) {
      nlohmann::json data = {{"found", ocs_cabling_json(*f)}};
      auto d = differs.find(port);
      if (d == differs.end()) {
        items.push_back(discovery_item(port, std::string(item_status::ok), "found " + describe_ports(*f) + ", as the inventory says", data, started_ns));
      } else {
        data["inventory"] = ocs_cabling_json(d->second->inventory);
        const bool unmapped = d->second->kind == CablingDifferenceKind::unmapped;
        if (!unmapped) ++wrong;
        items.push_back(discovery_item(port, std::string(unmapped ? item_status::ok : item_status::miswired), d->second->str(), data, started_ns));
      }
    } else {
      auto m = missing.find(port);
      items.push_back(m == missing.end() ? discovery_item(port, std::string(item_status::failed), port.str() + ": not found", {}, started_ns)
                                         : discovery_item(port, m->second.first, m->second.second, {}, started_ns));
    }
  }
  ctx.sink.record_all(items);

  nlohmann::json per_switch = nlohmann::json::object();
  for (const auto& d : switches) {
    nlohmann::json s = {{"nic_ports", d.nics.size()}};
    if (d.failure) s["error"] = d.failure->message;
    if (d.sw) {
      s["size"] = d.sw->any_to_any() ? fmt::format("{}xCC", d.sw->info.inputs) : fmt::format("{}x{}", d.sw->info.inputs, d.sw->info.outputs);
      s["input_rounds"] = d.plan.rounds;
      s["output_rounds"] = d.output_rounds;
      s["switch_operations"] = d.sw->switch_operations;
      s["power_reads"] = d.sw->power_reads;
      s["seconds"] = static_cast<double>(d.finished_ns - d.started_ns) / 1e9;
      s["always_lit_inputs"] = d.inputs.always_lit;
    }
    per_switch[d.switch_name] = s;
  }
  nlohmann::json map = nlohmann::json::object();
  for (const auto& [port, c] : found.ports) map[port.str()] = ocs_cabling_json(c);
  result.data = {{"switches", per_switch}, {"found", map}, {"differences", diff->lines()}, {"agreeing", diff->agreeing}};

  if (a.out) {
    auto corrected = corrected_inventory(ctx.inventory.path, found);
    if (!corrected) return module_args::step_error(corrected.error().context("make the corrected inventory"));
    const std::filesystem::path out_path(*a.out);
    if (auto ok = write_file_atomically(out_path.parent_path().string(), out_path.filename().string(), corrected->yaml); !ok) {
      return module_args::step_error(ok.error().context("write " + *a.out));
    }
    std::vector<std::string> cleared;
    for (const auto& p : corrected->cleared) cleared.push_back(p.str());
    result.data["out"] = {{"path", *a.out}, {"rewritten", corrected->rewritten}, {"cleared", cleared}};
  }
  if (!outputs) restore_errors.insert(restore_errors.begin(), outputs.error().message);
  result.message = fmt::format("{} of {} port(s) found: {} as the inventory says, {} where it says otherwise, {} it had no map for; {} not found",
                               found.ports.size(), all_ports.size(), diff->agreeing, wrong, diff->differences.size() - wrong,
                               all_ports.size() - found.ports.size());
  if (!restore_errors.empty()) {
    result.ok = false;
    result.message += "; " + fmt::format("{}", fmt::join(restore_errors, "; "));
  }
  return result;
}

}  // namespace mixnet::coord
