#pragma once
// What measure.reconfig reads from the lab to check its measurement: the ground truth of the
// lab's OCS emulator, /v1/changes and /v1/plane/events from a mark taken before the first
// repetition. Each call has a deadline. (The agents' clocks and journals are read by
// coordinator/agents/clock_sampler.hpp and journal_reader.hpp.)
#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// The emulator's ground truth, from a mark.
class TruthReader {
 public:
  // Reads the token file; errors name "ground_truth.token_file".
  static Result<TruthReader> open(const GroundTruth& where);
  // Remembers the newest change id and plane event now (older history is not ours).
  Result<void> mark(std::int64_t deadline_ns);
  // {"changes":[...]} and {"events":[...]} since the mark, paged (bounded).
  Result<std::pair<nlohmann::json, nlohmann::json>> read(std::int64_t deadline_ns);

 private:
  Result<nlohmann::json> get(const std::string& target, std::int64_t deadline_ns) const;
  std::string url_, token_;
  std::uint64_t changes_after_ = 0, events_after_ = 0;
};

}  // namespace mixnet::coord
