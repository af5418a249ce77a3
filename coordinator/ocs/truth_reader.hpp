#pragma once
// The ground truth of the lab's OCS emulator, read from its control API (the inventory's
// `ground_truth` of a switch): the switch's change records (GET /v1/changes) and its physical
// plane's per-end events (GET /v1/plane/events), from a mark taken before a measurement. It lives
// beside the switch pool because it is what an (emulated) switch reports about itself; the
// comparison with the measurement is arithmetic in coordinator/measure/ground_truth.hpp. JSON
// stays here, at the edge: the records come back typed (common/wire/ground_truth.hpp).
#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "coordinator/measure/ground_truth.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

class TruthReader {
 public:
  // Reads the token file; errors name "ground_truth.token_file".
  static Result<TruthReader> open(const GroundTruth& where);
  // Remembers the newest change id and plane event now (older history is not ours).
  Result<void> mark(std::int64_t deadline_ns);
  // Every change record and plane event since the mark (or the last read), paged and bounded.
  // A reply that is not the wire type is Errc::protocol naming the field.
  Result<measure::GroundTruth> read(std::int64_t deadline_ns);

 private:
  Result<std::string> get(const std::string& target, std::int64_t deadline_ns) const;
  std::string url_, token_;
  std::uint64_t changes_after_ = 0, events_after_ = 0;
};

}  // namespace mixnet::coord
