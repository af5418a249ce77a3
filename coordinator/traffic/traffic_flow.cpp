#include "coordinator/traffic/traffic_flow.hpp"

#include <fmt/format.h>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

void Flow::fail_with(std::string_view what, const Error& e, const std::string& host) {
  // A transport failure or a deadline on the way to an agent: that agent did not answer. An
  // agent that answered with an HTTP error ("h2: POST ...: HTTP 503 ...") did answer.
  const bool silent = (e.code == Errc::io || e.code == Errc::timeout || e.code == Errc::unavailable) &&
                      e.cause != Cause::http_status;
  status = silent ? std::string(item_status::unreachable) : std::string(item_status::failed);
  message = fmt::format("{}: {}: {}", label(), what, e.message);
  if (silent) fault_hosts = {host};
}

void Flow::fail_as(std::string_view why) {
  status = std::string(item_status::failed);
  message = fmt::format("{}: {}", label(), why);
}

std::vector<Flow> plan_flows(const TrafficPlan& plan) {
  std::vector<Flow> flows;
  for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
    for (std::size_t t : plan.rounds[r]) {
      const TrafficTest& test = plan.tests[t];
      if (test.a_to_b) flows.push_back({.test = t, .round = r, .from = test.a, .to = test.b});
      if (test.b_to_a) flows.push_back({.test = t, .round = r, .from = test.b, .to = test.a});
    }
  }
  return flows;
}

std::vector<Flow*> flows_in_round(std::vector<Flow>& flows, std::size_t round) {
  std::vector<Flow*> out;
  for (auto& f : flows) {
    if (f.round == round) out.push_back(&f);
  }
  return out;
}

std::vector<const Flow*> flows_of_test(const std::vector<Flow>& flows, std::size_t test) {
  std::vector<const Flow*> out;
  for (const auto& f : flows) {
    if (f.test == test) out.push_back(&f);
  }
  return out;
}

}  // namespace mixnet::coord
