#pragma once
// What an RDMA run needs, decided before any verbs call: which device, port and GID (from the
// agent's sysfs inventory and the port's address), how big the buffer and queues are, and the
// loop's settings. Pure, so every refusal is unit-tested; the errors name the field or the port.
#include <optional>

#include "agent/traffic/rdma/bw_loop.hpp"
#include "agent/traffic/traffic_engine.hpp"
#include "common/result.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"
#include "hwdrivers/nic/rdma_port_select.hpp"
#include "hwdrivers/nic/rdma_resources.hpp"

namespace mixnet::agent::traffic::rdma {

struct RdmaPlan {
  nic::RdmaTarget target;
  nic::RdmaResourceSpec resources;
  BwLoopConfig loop;                 // client only; remote_addr/rkey from the peer
  wire::RdmaOptions options;
};

Result<RdmaPlan> plan_rdma_run(const TrafficSpec& spec, const nic::RdmaScan& scan);

}  // namespace mixnet::agent::traffic::rdma
