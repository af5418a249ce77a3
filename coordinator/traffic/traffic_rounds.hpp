#pragma once
// The agent side of traffic.run: one round at a time, every flow of the round at once. A round
// starts the receivers, then the senders (RDMA: hands each receiver its sender's endpoint),
// waits for the senders' reports, reads the receivers' and cancels whatever still runs, so
// nothing outlives the step. What went wrong on the way settles the flow (its message says
// which call to which end); the rest is judged by the verdicts (traffic_verdict.hpp).
#include <cstddef>
#include <map>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_flow.hpp"
#include "coordinator/traffic/traffic_plan.hpp"

namespace mixnet::coord {

// Runs round `round` (of `rounds`) of the flows given. A step cancelled or out of time runs
// nothing: its flows fail as not run.
void run_round(AgentPool& pool, const TrafficRunArgs& args, StepContext& ctx, std::size_t round, std::size_t rounds,
               const std::vector<Flow*>& flows);

// Each port's speed in Gb/s as its agent reports it, read once from every host of the plan (none
// when the arguments give the line rate). A host that does not answer is left out: its tests fail
// when their runs cannot start, naming why.
std::map<PortRef, double> read_port_speeds(AgentPool& pool, const TrafficPlan& plan, const TrafficRunArgs& args,
                                           std::int64_t deadline_ns);

}  // namespace mixnet::coord
