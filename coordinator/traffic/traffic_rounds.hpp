#pragma once
// The agent side of traffic.run: one round at a time, every flow of the round at once. A round
// starts the receivers, then the senders (RDMA: hands each receiver its sender's endpoint),
// waits for the senders' reports, reads the receivers' and cancels whatever still runs, so
// nothing outlives the step; the next round's receivers and the previous round's reads overlap
// a round's sending. What went wrong on the way settles the flow (its message says
// which call to which end); the rest is judged by the verdicts (traffic_verdict.hpp).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_flow.hpp"
#include "coordinator/traffic/traffic_plan.hpp"

namespace mixnet::coord {

// Called once per round, in order, when the round is over and read (receivers too): its flows
// are final and may be judged. `started_ns` (CLOCK_REALTIME) is when its senders were started.
using RoundDone = std::function<void(std::size_t round, const std::vector<Flow*>& flows, std::int64_t started_ns)>;

// Runs every round of `flows` (rounds 0 .. rounds-1), one after the other, every flow of a round
// at once. While a round sends, the next round's receivers are started and the previous round's
// are read, so the gap between two rounds is the start of the senders alone; a round whose senders
// did not all finish is stopped (its runs cancelled) before the next starts. A step cancelled or
// out of time runs nothing more: the flows left fail as not run.
void run_rounds(AgentPool& pool, const TrafficRunArgs& args, StepContext& ctx, std::vector<Flow>& flows, std::size_t rounds,
                const RoundDone& done);

// Each port's speed in Gb/s as its agent reports it, read once from every host of the plan (none
// when the arguments give the line rate). A host that does not answer is left out: its tests fail
// when their runs cannot start, naming why.
std::map<PortRef, double> read_port_speeds(AgentPool& pool, const TrafficPlan& plan, const TrafficRunArgs& args,
                                           std::int64_t deadline_ns);

}  // namespace mixnet::coord
