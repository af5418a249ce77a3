#include "coordinator/modules/nic_configure.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/cidr.hpp"
#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/engine/module_args.hpp"

namespace mixnet::coord {

namespace {

// The ports named by `ports` (all, or a list of HOST:PORT / HOST), in inventory order.
Result<std::vector<PortRef>> selected_ports(const nlohmann::json& args, const Inventory& inv) {
  std::vector<PortRef> out;
  const auto it = args.is_object() ? args.find("ports") : args.end();
  if (!args.is_object() || it == args.end() || it->is_null() || (it->is_string() && it->get<std::string>() == "all")) {
    for (const auto& h : inv.hosts) {
      for (const auto& p : h.ports) out.push_back({h.name, p.name});
    }
    return out;
  }
  if (!it->is_array()) return fail(Errc::invalid_argument, "must be 'all' or a list of HOST:PORT or HOST", "ports");
  std::set<PortRef> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string field = "ports[" + std::to_string(i) + "]";
    const auto& v = (*it)[i];
    if (!v.is_string()) return fail(Errc::invalid_argument, "must be HOST:PORT or HOST", field);
    const std::string text = v.get<std::string>();
    std::vector<PortRef> refs;
    if (text.find(':') == std::string::npos) {
      const Host* h = inv.find_host(text);
      if (h == nullptr) return fail(Errc::invalid_argument, "no host '" + text + "' in the inventory", field);
      for (const auto& p : h->ports) refs.push_back({h->name, p.name});
    } else {
      auto ref = PortRef::parse(text);
      if (!ref) return fail(Errc::invalid_argument, ref.error().message, field);
      if (auto found = inv.find_port(*ref); !found) return fail(Errc::invalid_argument, found.error().message, field);
      refs.push_back(*ref);
    }
    for (auto& r : refs) {
      if (seen.insert(r).second) out.push_back(r);
    }
  }
  return out;
}

struct Want {
  std::optional<std::uint32_t> mtu;
  std::optional<bool> admin_up;
  bool addresses = true;
};

bool has_address(const wire::PortInfo& p, const std::string& cidr) {
  auto want = normalize_cidr(cidr, "address");
  if (!want) return false;
  for (const auto* list : {&p.ipv4, &p.ipv6}) {
    for (const auto& a : *list) {
      auto have = normalize_cidr(a, "address");
      if (have && *have == *want) return true;
    }
  }
  return false;
}

// What must change on one port; empty when it already is as wanted.
wire::ConfigureRequest diff(const wire::PortInfo& now, const HostPort& inv_port, const Want& want) {
  wire::ConfigureRequest req;
  std::optional<std::uint32_t> mtu = want.mtu;
  if (!mtu && inv_port.expect.mtu) mtu = static_cast<std::uint32_t>(*inv_port.expect.mtu);
  if (mtu && *mtu != now.mtu) req.mtu = *mtu;
  if (want.admin_up && *want.admin_up != now.admin_up) req.admin_up = *want.admin_up;
  if (want.addresses && inv_port.address && !has_address(now, *inv_port.address)) {
    if (auto norm = normalize_cidr(*inv_port.address, "address")) req.add_addresses.push_back(*norm);
  }
  return req;
}

std::string describe(const wire::ConfigureRequest& r) {
  std::vector<std::string> parts;
  if (r.mtu) parts.push_back(fmt::format("mtu {}", *r.mtu));
  for (const auto& a : r.add_addresses) parts.push_back("add " + a);
  if (r.admin_up) parts.push_back(*r.admin_up ? "admin up" : "admin down");
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

}  // namespace

Result<void> NicConfigureModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"ports", "mtu", "admin", "addresses"}); !ok) return ok;
  if (!module_args::templated(args, "ports")) {
    if (auto p = selected_ports(args, vc.inventory); !p) return std::unexpected(p.error());
  }
  if (!module_args::templated(args, "mtu")) {
    if (auto m = module_args::number_arg(args, "mtu", wire::kMinMtu, wire::kMaxMtu); !m) return std::unexpected(m.error());
  }
  if (!module_args::templated(args, "admin")) {
    auto a = module_args::string_arg(args, "admin");
    if (!a) return std::unexpected(a.error());
    if (*a && **a != "up" && **a != "down") return fail(Errc::invalid_argument, "must be up or down, got '" + **a + "'", "admin");
  }
  if (!module_args::templated(args, "addresses")) {
    if (auto b = module_args::bool_arg(args, "addresses"); !b) return std::unexpected(b.error());
  }
  return {};
}

StepResult NicConfigureModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  const auto ports = *selected_ports(args, ctx.inventory);
  Want want;
  if (auto m = *module_args::number_arg(args, "mtu", wire::kMinMtu, wire::kMaxMtu)) want.mtu = static_cast<std::uint32_t>(*m);
  if (auto a = *module_args::string_arg(args, "admin")) want.admin_up = *a == "up";
  want.addresses = module_args::bool_arg(args, "addresses")->value_or(true);

  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  const std::int64_t started = realtime_ns();

  std::vector<std::string> hosts;
  for (const auto& p : ports) {
    if (std::find(hosts.begin(), hosts.end(), p.host) == hosts.end()) hosts.push_back(p.host);
  }
  std::map<std::string, Result<wire::Inventory>> now;
  for (auto& r : (*pool)->inventory(hosts, ctx.deadline_ns)) now.emplace(r.host, std::move(r.value));

  StepResult result;
  std::map<std::string, int> counts;
  auto record = [&](ItemResult it) {
    it.finished_ns = realtime_ns();
    if (it.started_ns == 0) it.started_ns = started;
    counts[it.status] += 1;
    ctx.sink.record(it);
  };
  auto port_item = [&](const PortRef& p) {
    ItemResult it;
    it.kind = "port";
    it.id = p.str();
    it.started_ns = started;
    return it;
  };

  std::vector<ConfigureCall> calls;
  for (const auto& p : ports) {
    ItemResult it = port_item(p);
    const auto& inv = now.at(p.host);
    if (!inv) {
      it.status = item_status::unreachable;
      it.message = inv.error().message;
      record(std::move(it));
      continue;
    }
    const auto found = std::find_if(inv->ports.begin(), inv->ports.end(), [&](const wire::PortInfo& x) { return x.name == p.port; });
    if (found == inv->ports.end()) {
      it.status = item_status::failed;
      it.message = "the agent of " + p.host + " does not manage port " + p.port + " (check its --ports)";
      record(std::move(it));
      continue;
    }
    const HostPort* inv_port = *ctx.inventory.find_port(p);
    const wire::ConfigureRequest req = diff(*found, *inv_port, want);
    nlohmann::json before;
    wire::to_json(before, *found);
    if (req.empty()) {
      it.status = ctx.check_mode ? item_status::skipped : item_status::ok;
      it.message = "already as wanted";
      it.data = {{"changes", nlohmann::json::array()}};
      record(std::move(it));
      continue;
    }
    result.changed = true;
    if (ctx.check_mode) {
      it.status = item_status::skipped;
      it.message = "would set " + describe(req);
      nlohmann::json j;
      wire::to_json(j, req);
      it.data = {{"would_send", j}, {"mtu", found->mtu}, {"admin", found->admin_up ? "up" : "down"}};
      record(std::move(it));
      continue;
    }
    calls.push_back({p.host, p.port, req});
  }

  if (!calls.empty()) {
    auto replies = (*pool)->configure(calls, ctx.deadline_ns);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      ItemResult it = port_item({calls[i].host, calls[i].port});
      it.started_ns = replies[i].sent_ns != 0 ? replies[i].sent_ns : started;
      if (replies[i].value) {
        it.status = item_status::ok;
        it.message = replies[i].value->applied.empty() ? "nothing needed" : "applied: " + [&] {
          std::string s;
          for (const auto& a : replies[i].value->applied) s += (s.empty() ? "" : ", ") + a;
          return s;
        }();
        it.data = {{"applied", replies[i].value->applied}};
      } else {
        const Errc code = replies[i].value.error().code;
        const bool transport = code == Errc::timeout || code == Errc::unavailable || code == Errc::io;
        it.status = transport ? item_status::unreachable : item_status::failed;
        it.message = replies[i].value.error().message;
      }
      record(std::move(it));
    }
  }

  std::string summary;
  for (const auto& [status, n] : counts) summary += (summary.empty() ? "" : ", ") + fmt::format("{} {}", n, status);
  result.data = {{"ports", ports.size()}, {"counts", counts}};
  result.message = fmt::format("{} port(s): {}", ports.size(), summary.empty() ? "none" : summary);
  return result;
}

}  // namespace mixnet::coord
