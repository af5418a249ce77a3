#pragma once
// The managed ports as the API shows them: netlink facts, plus the RDMA ports whose GIDs name the
// netdev. Ports the agent does not manage do not exist here (not_found, like a missing one).
#include <string>
#include <string_view>

#include "agent/port_filter.hpp"
#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "hwdrivers/nic/netdev.hpp"
#include "hwdrivers/nic/netlink_links.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"

namespace mixnet::agent {

wire::PortInfo to_port_info(const nic::NetdevInfo& dev, const nic::RdmaScan& rdma);

// Reads sysfs and ibverbs afresh (cheap; RDMA ports come and go with drivers).
nic::RdmaScan scan_rdma();

Result<wire::Inventory> build_inventory(nic::NetlinkLinks& links, const PortFilter& filter,
                                        const std::string& host_id);

// One managed port; not_found (naming field) when it is absent or not managed.
Result<nic::NetdevInfo> find_managed(nic::NetlinkLinks& links, const PortFilter& filter, std::string_view name,
                                     std::string_view field);

}  // namespace mixnet::agent
