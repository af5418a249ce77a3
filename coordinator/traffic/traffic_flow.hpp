#pragma once
// One direction of one traffic.run test, as it runs: the runs the agents started for it, their
// last reports, and once it is settled its status and message. The rounds fill it in, the
// verdicts read it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/wire/traffic_api.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/traffic/traffic_plan.hpp"

namespace mixnet::coord {

struct Flow {
  std::size_t test = 0;                   // index into the plan's tests
  std::size_t round = 0;
  PortRef from, to;
  std::string server_id, client_id;
  std::optional<wire::TrafficRunReport> server, client;
  std::optional<std::int64_t> start_at_ns;   // tcp: the instant its sender was told to start (its agent's clock)
  // The receiver's run secret (TCP), handed to the sender alone: never reported or stored.
  std::string server_secret;
  std::string status;                     // empty while running
  std::string message;
  std::vector<std::string> fault_hosts;   // whom a failure counts against (empty: both ends)
  bool measured = false;
  double gbps = 0;
  std::optional<double> line_rate_gbps;
  std::string line_rate_source;

  [[nodiscard]] std::string label() const { return from.str() + " -> " + to.str(); }
  [[nodiscard]] bool settled() const { return !status.empty(); }
  // Settles it as failed because a call about it to `host`'s agent failed with `e`; unreachable
  // (counted against `host` alone) when that agent did not answer at all.
  void fail_with(std::string_view what, const Error& e, const std::string& host);
  // Settles it as failed with the message "<label>: <why>".
  void fail_as(std::string_view why);
};

// Every flow of the plan, round by round, each test's a-to-b before its b-to-a.
std::vector<Flow> plan_flows(const TrafficPlan& plan);

// The flows of round `round`, in order.
std::vector<Flow*> flows_in_round(std::vector<Flow>& flows, std::size_t round);

// The flows of test `test` (both its directions), in order.
std::vector<const Flow*> flows_of_test(const std::vector<Flow>& flows, std::size_t test);

}  // namespace mixnet::coord
