#pragma once
// The nightly check's bandwidth tests through the traffic machinery traffic.run uses (plan,
// rounds, verdicts): a list of tests between two ports, packed into rounds in which no port is
// used twice, each round with its own deadline, both directions at once. Each test comes back as
// a typed health::PairTest (a failed test is a record, never an error of the step) with the item
// traffic.run would record for it; the caller judges further (against peers) and records it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/health/counter_snapshot.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/traffic/traffic_schedule.hpp"

namespace mixnet::coord {

struct PairTestRequest {
  PortRef a;
  PortRef b;
  health::PartKind via = health::PartKind::circuit;
  int round = 0;            // 0 the first pass, 1.. retests
  std::string path;         // the part tested (health::test_part_name), plus switch ports where known
};

struct PairTrafficOptions {
  double duration_s = 1.0;                  // per direction, both directions at once
  std::optional<double> threshold;          // fraction of line rate (line rate from the agents or inventory)
  std::optional<double> line_rate_gbps;     // wins over the ports' speed
  double timeout_s = 16.0;                  // per round of tests
  std::size_t parallel = 0;                 // most tests at once (0: as many as fit)
};

struct PairTestOutcome {
  health::PairTest test;
  ItemResult item;          // kind "circuit" or "pair", id "h1:ocs0-h2:ocs1", not yet recorded
  // The counters of the test's two ports around the test, as their agents read them when each of
  // the test's runs was created and when it finished (the run reports' counters): per port the
  // earliest reading before and the latest after, so the window holds both directions of this
  // test and nothing of another round. A port none of whose runs brought a reading is missing
  // from its host's entry, or its host has an error saying why.
  health::CounterSnapshot counters_before;
  health::CounterSnapshot counters_after;
};

// Runs every request; returns one outcome per request, in order.
std::vector<PairTestOutcome> run_pair_tests(AgentPool& pool, StepContext& ctx, const std::vector<PairTestRequest>& requests,
                                             const PairTrafficOptions& options);

}  // namespace mixnet::coord
