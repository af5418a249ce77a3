#pragma once
// Every host's port counters at one moment of one run (docs/health/counters.md): what
// health.counters reads with GET /v1/counters, keeps under a mark within the run, and saves in
// the results store so that the next night can diff against it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/wire/counters_api.hpp"

namespace mixnet::coord::health {

// One host's reading, or why there is none.
struct HostCounters {
  std::string host;                              // the inventory's name
  std::optional<wire::CountersReply> reply;
  std::optional<Error> error;                    // when !reply: the call's error
};

struct CounterSnapshot {
  std::string run_id;
  std::string mark;                // the playbook's name for it ("before-round-1"); "last-run" when saved for the next night
  std::int64_t taken_ns = 0;       // CLOCK_REALTIME (coordinator) when the read began
  std::vector<HostCounters> hosts;

  [[nodiscard]] const HostCounters* find(const std::string& host) const;
};

}  // namespace mixnet::coord::health
