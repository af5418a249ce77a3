#pragma once
// RDMA inventory drift (docs/health/nightly.md, "health.hosts"): one port's RDMA expectations
// from the inventory (RdmaExpect) against what the host's agent reports for that netdev
// (wire::PortInfo::rdma, read from /sys/class/infiniband). Pure: health.hosts adds the findings to
// the run's ledger, where blame judges them like the other drift findings (a critical or unknown
// finding on a port blames the port on its own; a warning makes the run at least WARNING).
//
//   device, port, link_layer differ           critical  (figures rdma_device, rdma_link_layer)
//   GID table differs (gids, gid_count)       critical  (rdma_gids)
//   fw_ver differs                            warning   (rdma_fw_ver: a firmware rollout in progress
//                                                        is not a broken host, but it is worth a look)
//   cannot be read                            unknown   (the host has no RDMA device at all, the
//                                                        expected device is not there to read, or the
//                                                        agent does not report the attribute):
//                                                        never a pass
// Every finding has rule "inventory-drift", as hosts.verify's MAC/MTU/speed drift does.
#include <string>
#include <vector>

#include "common/wire/agent_api.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/model/rdma_expect.hpp"

namespace mixnet::coord::health {

inline constexpr const char* kDriftRule = "inventory-drift";

// The findings (none when everything matches) for port `part` ("h1:ocs0"). `host_rdma` is the
// agent's summary: whether the host has any RDMA device, and its note when it has none.
[[nodiscard]] std::vector<Finding> rdma_drift(const std::string& part, const RdmaExpect& want, const wire::PortInfo& got,
                                              const wire::RdmaSummary& host_rdma);

}  // namespace mixnet::coord::health
