#pragma once
// Applies a validated configuration request to one managed port through netlink. Everything that
// can be checked is checked before the first change (the port is managed, every address to remove
// is assigned); a failure part-way says what had already been applied.
#include <string>

#include "agent/port_filter.hpp"
#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "hwdrivers/nic/netlink_links.hpp"

namespace mixnet::agent {

Result<wire::ConfigureResult> apply_configuration(nic::NetlinkLinks& links, const PortFilter& filter,
                                                  const std::string& name, const wire::ConfigureRequest& req);

}  // namespace mixnet::agent
