#include "agent/port_config.hpp"

#include <algorithm>

#include "agent/inventory.hpp"
#include "common/cidr.hpp"

namespace mixnet::agent {

namespace {

bool assigned(const nic::NetdevInfo& dev, const std::string& cidr) {
  const auto same = [&](const std::string& a) {
    auto n = normalize_cidr(a, "address");
    return n && *n == cidr;
  };
  return std::any_of(dev.ipv4.begin(), dev.ipv4.end(), same) || std::any_of(dev.ipv6.begin(), dev.ipv6.end(), same);
}

}  // namespace

Result<wire::ConfigureResult> apply_configuration(nic::NetlinkLinks& links, const PortFilter& filter,
                                                  const std::string& name, const wire::ConfigureRequest& req) {
  auto dev = find_managed(links, filter, name, "name");
  if (!dev) return std::unexpected(dev.error());
  for (std::size_t i = 0; i < req.remove_addresses.size(); ++i) {
    if (!assigned(*dev, req.remove_addresses[i])) {
      return fail(Errc::invalid_argument, req.remove_addresses[i] + " is not assigned to " + name,
                  "remove_addresses[" + std::to_string(i) + "]");
    }
  }

  wire::ConfigureResult result;
  const auto step_failed = [&](const Error& e, const std::string& step) {
    std::string done = result.applied.empty() ? "nothing" : "";
    for (const auto& a : result.applied) done += (done.empty() ? "" : ", ") + a;
    Error out = e.context("configure " + name + ": " + step);
    out.message += " (already applied: " + done + ")";
    return std::unexpected(out);
  };

  if (req.mtu && *req.mtu != dev->mtu) {
    if (auto r = links.set_mtu(name, *req.mtu); !r) return step_failed(r.error(), "mtu " + std::to_string(*req.mtu));
    result.applied.push_back("mtu " + std::to_string(*req.mtu));
  }
  for (const auto& cidr : req.remove_addresses) {
    if (auto r = links.remove_address(name, cidr); !r) return step_failed(r.error(), "remove " + cidr);
    result.applied.push_back("remove " + cidr);
  }
  for (const auto& cidr : req.add_addresses) {
    if (assigned(*dev, cidr)) continue;  // adding what is there is a no-op, so retries are safe
    if (auto r = links.add_address(name, cidr); !r) return step_failed(r.error(), "add " + cidr);
    result.applied.push_back("add " + cidr);
  }
  if (req.admin_up && *req.admin_up != dev->admin_up) {
    const std::string step = *req.admin_up ? "admin up" : "admin down";
    if (auto r = links.set_admin_up(name, *req.admin_up); !r) return step_failed(r.error(), step);
    result.applied.push_back(step);
  }

  auto after = links.get(name);
  if (!after) return std::unexpected(after.error().context("read " + name + " after configuring"));
  result.port = to_port_info(*after, scan_rdma());
  return result;
}

}  // namespace mixnet::agent
