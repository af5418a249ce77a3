#include "coordinator/modules/links_verify.hpp"

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/batched_recorder.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/verify/link_verifier.hpp"

namespace mixnet::coord {

namespace {

constexpr double kLinksVerifyDeadlineS = 30.0;

// The links to verify: the named topology's circuits, or, without a name, the circuits of the
// topology each switch was last given by ocs.apply in this run.
Result<std::vector<ExpectedLink>> expected_links(const nlohmann::json& args, const StepContext& ctx, std::string* label) {
  auto name = module_args::string_arg(args, "topology");
  if (!name) return std::unexpected(name.error());
  std::vector<ExpectedLink> links;
  if (*name) {
    const Topology* t = ctx.topologies.find(**name);
    if (t == nullptr) return fail(Errc::invalid_argument, "unknown topology '" + **name + "'", "topology");
    for (const auto& c : t->circuits) links.push_back({c.a, c.b});
    *label = t->name;
    return links;
  }
  if (ctx.state.topology_of_switch.empty()) {
    return fail(Errc::invalid_argument, "no topology given and none applied by ocs.apply in this run", "topology");
  }
  for (const auto& [sw, topo_name] : ctx.state.topology_of_switch) {
    const Topology* t = ctx.topologies.find(topo_name);
    if (t == nullptr) return fail(Errc::internal, "switch " + sw + " was given topology '" + topo_name + "', which is not loaded");
    for (const auto& rc : t->resolved) {
      if (rc.switch_name == sw) links.push_back({rc.circuit.a, rc.circuit.b});
    }
    if (label->find(topo_name) == std::string::npos) *label += (label->empty() ? "" : ", ") + topo_name;
  }
  return links;
}

nlohmann::json direction_json(const ProbeDirection& d) {
  nlohmann::json j = {{"heard", d.heard}, {"rounds", d.rounds}, {"nonce", d.nonce}};
  if (d.heard) j["by"] = d.by_hello ? "hello" : "probe";
  if (d.probe_sent_ns != 0) j["probe_sent_ns"] = d.probe_sent_ns;
  if (d.far_receive_ns != 0) j["far_receive_ns"] = d.far_receive_ns;
  if (d.confirmed_ns != 0) j["confirmed_ns"] = d.confirmed_ns;
  if (!d.send_error.empty()) j["send_error"] = d.send_error;
  if (!d.heard_by.empty()) j["heard_by"] = d.heard_by;
  return j;
}

// The port's state at the verdict; agent times also on the coordinator's clock where the offset
// is known.
nlohmann::json link_state_json(const PortVerdict& v) {
  nlohmann::json j = nlohmann::json::object();
  if (const auto& s = v.link_state) {
    j["carrier"] = s->carrier;
    j["admin"] = s->admin_up ? "up" : "down";
    j["oper_state"] = s->oper_state;
    if (s->link_up_ns != 0) {
      j["link_up_ns"] = s->link_up_ns;   // the agent's clock
      if (v.clock_offset_ns) j["link_up_coord_ns"] = measure::align_ns(*v.clock_offset_ns, s->link_up_ns);
    } else {
      j["link_up_ns"] = nullptr;
    }
  }
  if (v.clock_offset_ns) j["clock_offset_ns"] = *v.clock_offset_ns;
  return j;
}

// The report's item for one port's verdict: kind "port", id "h1:ocs0".
ItemResult port_item(const PortVerdict& v) {
  ItemResult it;
  it.kind = "port";
  it.id = v.port.str();
  it.status = std::string(to_string(v.verdict));
  it.message = v.message;
  it.data = link_state_json(v);
  it.data["expected_peer"] = v.expected_peer.str();
  it.data["probe_out"] = direction_json(v.probe_out);
  it.data["probe_in"] = direction_json(v.probe_in);
  if (v.actual_peer) it.data["actual_peer"] = *v.actual_peer;
  it.started_ns = v.started_ns;
  it.finished_ns = v.finished_ns;
  it.hosts = v.counts_against;
  return it;
}

}  // namespace

Result<void> LinksVerifyModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"topology", "deadline", "probe_count", "probe_rounds"}); !ok) return ok;
  if (!module_args::templated(args, "topology")) {
    auto name = module_args::string_arg(args, "topology");
    if (!name) return std::unexpected(name.error());
    if (*name && vc.topologies.find(**name) == nullptr) {
      std::string known;
      for (const auto& n : vc.topologies.names()) known += (known.empty() ? "" : ", ") + n;
      return fail(Errc::invalid_argument, "unknown topology '" + **name + "' (known: " + (known.empty() ? "none" : known) + ")",
                  "topology");
    }
  }
  struct Bound {
    const char* key;
    double min, max;
  };
  for (const Bound& b : {Bound{"deadline", 0.1, 3600}, Bound{"probe_count", 1, 16}, Bound{"probe_rounds", 1, 10}}) {
    if (module_args::templated(args, b.key)) continue;
    if (auto v = module_args::number_arg(args, b.key, b.min, b.max); !v) return std::unexpected(v.error());
  }
  return {};
}

StepResult LinksVerifyModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  std::string label;
  auto links = expected_links(args, ctx, &label);
  if (!links) return module_args::step_error(links.error());
  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());

  const double deadline_s = module_args::number_arg(args, "deadline", 0.1, 3600)->value_or(kLinksVerifyDeadlineS);
  LinkVerifyOptions options;
  options.deadline_ns = std::min(monotonic_ns() + static_cast<std::int64_t>(deadline_s * 1e9), ctx.deadline_ns);
  options.probe_count = static_cast<std::uint32_t>(module_args::number_arg(args, "probe_count", 1, 16)->value_or(2));
  options.probe_rounds = static_cast<int>(module_args::number_arg(args, "probe_rounds", 1, 10)->value_or(3));
  for (const auto& h : ctx.inventory.hosts) options.all_hosts.push_back(h.name);
  options.cancel = &ctx.cancel;

  BatchedRecorder recorder(ctx.sink);
  const auto report = verify_links(**pool, *links, options, [&](const PortVerdict& v) { recorder.add(port_item(v)); });
  recorder.flush();

  std::map<std::string, int> counts;
  for (const auto& v : report.ports) counts[std::string(to_string(v.verdict))] += 1;
  StepResult result;
  result.data = {{"topology", label}, {"ports", report.ports.size()}, {"counts", counts}};
  if (report.all_verified_ns != 0) result.data["all_verified_ns"] = report.all_verified_ns;
  if (report.last_link_up_ns != 0) result.data["last_link_up_ns"] = report.last_link_up_ns;
  if (report.all_verified_ns != 0 && report.last_link_up_ns != 0) {
    result.data["control_overhead_ns"] = report.all_verified_ns - report.last_link_up_ns;
  }
  std::string summary;
  for (const auto& [status, n] : counts) summary += (summary.empty() ? "" : ", ") + fmt::format("{} {}", n, status);
  result.message = fmt::format("topology {}: {} port(s): {}", label, report.ports.size(), summary.empty() ? "none" : summary);
  return result;
}

}  // namespace mixnet::coord
