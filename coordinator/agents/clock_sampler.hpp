#pragma once
// The clock sampler: the I/O half of clock alignment. Repeated GET /v1/clock round trips per agent
// (AgentPool::clock), handed to coordinator/measure/clock_alignment.hpp, which does every piece of
// offset arithmetic.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/measure/clock_alignment.hpp"

namespace mixnet::coord {

class AgentPool;

// `rounds` round trips to every host (all hosts in parallel per round). A host with no good
// sample is left out of the map; its error is in `errors`.
struct ClockSampling {
  std::map<std::string, std::vector<measure::ClockSample>> samples;
  std::map<std::string, std::string> errors;
};
ClockSampling sample_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns);

// Every host's offset ("agent:<host>") from `rounds` round trips each. Partial: a host without a
// usable sample is left out, its reason in `errors`.
struct ClockAlignment {
  std::map<std::string, measure::ClockOffset> offsets;
  std::map<std::string, std::string> errors;
};
ClockAlignment align_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns);

}  // namespace mixnet::coord
