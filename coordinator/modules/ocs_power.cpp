#include "coordinator/modules/ocs_power.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/optical_power.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/unmapped_cabling.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace {

using health::SwitchPowerInput;

// What one switch's turn read: its circuits and the readings, or why not.
SwitchPowerInput read_switch(SwitchPool& pool, SwitchPowerInput in) {
  std::vector<ocs::PortId> ports;
  ports.reserve(in.cabled.size());
  for (const auto& c : in.cabled) ports.push_back(c.switch_port);
  auto sw = pool.get(in.switch_name);
  if (!sw) {
    in.read_error = sw.error().message;
    return in;
  }
  auto circuits = (*sw)->list();
  if (!circuits) {
    in.read_error = "list cross-connects: " + circuits.error().message;
    return in;
  }
  in.circuits = std::move(circuits->value);
  auto power = (*sw)->power(ports);
  in.at_ns = realtime_ns();
  if (!power) {
    in.read_error = "power: " + power.error().message;
    return in;
  }
  in.readings = std::move(power->value);
  return in;
}

std::string item_status_of(const health::OcsPortPower& p) {
  switch (p.severity) {
    case health::Severity::ok:
    case health::Severity::warning: return std::string(item_status::ok);
    case health::Severity::critical: return std::string(p.rule == health::kDarkRule ? item_status::dark : item_status::failed);
    case health::Severity::unknown: return std::string(item_status::failed);
  }
  return std::string(item_status::failed);
}

ItemResult port_item(const health::OcsPortPower& p, std::int64_t started_ns) {
  ItemResult it;
  it.kind = "ocs_port";
  it.id = p.part;
  it.status = item_status_of(p);
  it.message = p.severity == health::Severity::warning ? "warning: " + p.message : p.message;
  it.started_ns = started_ns;
  it.finished_ns = realtime_ns();
  it.hosts = {p.nic_port.substr(0, p.nic_port.find(':'))};
  it.data = {{"nic_port", p.nic_port},
             {"role", health::to_string(p.role)},
             {"should_be_lit", p.should_be_lit},
             {"severity", health::to_string(p.severity)},
             {"dbm", p.dbm ? nlohmann::json(*p.dbm) : nlohmann::json()},
             {"path_loss_db", p.path_loss_db ? nlohmann::json(*p.path_loss_db) : nlohmann::json()},
             {"circuit_peer", p.circuit_peer ? nlohmann::json(*p.circuit_peer) : nlohmann::json()}};
  return it;
}

}  // namespace

Result<void> OcsPowerModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"switch"}); !ok) return ok;
  if (module_args::templated(args, "switch")) return {};
  auto sw = module_args::string_arg(args, "switch");
  if (!sw) return std::unexpected(sw.error());
  if (*sw) {
    const Switch* s = vc.inventory.find_switch(**sw);
    if (s == nullptr || s->kind != SwitchKind::ocs) return fail(Errc::invalid_argument, "no OCS switch named '" + **sw + "' in the inventory", "switch");
  }
  return {};
}

StepResult OcsPowerModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) return module_args::step_error(ok.error());
  const auto only = *module_args::string_arg(args, "switch");
  auto pool = ctx.switches();
  if (!pool) return module_args::step_error(pool.error());

  // The check reads the switch ports the map names: a port without its map cannot be judged, and
  // leaving it out would pass it unseen. Every such port of the switches checked, in one error.
  const auto unmapped = ctx.inventory.unmapped_ocs_ports(only ? std::optional<std::string_view>(*only) : std::nullopt);
  if (!unmapped.empty()) return module_args::step_error(unmapped_cabling_error("ocs.power", ctx.inventory, unmapped));

  std::vector<SwitchPowerInput> inputs;
  for (const auto& sw : ctx.inventory.switches) {
    if (sw.kind != SwitchKind::ocs || (only && sw.name != *only)) continue;
    SwitchPowerInput in;
    in.switch_name = sw.name;
    auto cabled = health::cabled_ocs_ports(ctx.inventory, sw);
    if (!cabled) return module_args::step_error(cabled.error());
    in.cabled = std::move(*cabled);
    if (!in.cabled.empty()) inputs.push_back(std::move(in));
  }

  // Every switch at once: a slow switch delays only its own ports. Each driver call has its own
  // I/O deadline; the step's deadline bounds how long we wait for the answers.
  const std::int64_t started_ns = realtime_ns();
  std::vector<std::future<SwitchPowerInput>> reads;
  reads.reserve(inputs.size());
  for (const auto& in : inputs) reads.push_back(std::async(std::launch::async, read_switch, std::ref(**pool), in));
  ctx.sink.note(fmt::format("reading optical power on {} switch(es)", inputs.size()));

  auto& ledger = health::ledger_of(ctx.state);
  StepResult result;
  result.data = {{"switches", nlohmann::json::object()}};
  std::size_t judged = 0, bad = 0;
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const auto left = std::chrono::nanoseconds(std::max<std::int64_t>(0, ctx.deadline_ns - monotonic_ns()));
    SwitchPowerInput in;
    if (ctx.deadline_ns == 0 || reads[i].wait_for(left) == std::future_status::ready) {
      in = reads[i].get();
    } else {
      in = inputs[i];
      in.read_error = "no answer before the step's deadline";
      in.at_ns = realtime_ns();
    }
    const auto judgement = health::judge_switch_power(in);
    for (const auto& o : judgement.observations) ledger.add(o);
    for (const auto& f : judgement.findings) ledger.add(f);
    nlohmann::json sw_data = {{"ports", judgement.ports.size()}, {"findings", judgement.findings.size()}};
    if (!in.read_error.empty()) sw_data["error"] = in.read_error;
    result.data["switches"][in.switch_name] = sw_data;
    std::vector<ItemResult> items;
    for (const auto& p : judgement.ports) {
      items.push_back(port_item(p, started_ns));
      if (!items.back().passed()) ++bad;
      ++judged;
    }
    ctx.sink.record_all(items);
  }
  result.message = fmt::format("{} OCS port(s) on {} switch(es): {} failed", judged, inputs.size(), bad);
  return result;
}

}  // namespace mixnet::coord
