#pragma once
// Several switches' ground truth read as one (measure.reconfig on a lab with one emulator per
// region). Each emulator numbers its changes from 1, so switch k's change ids, batches and its
// plane events' change ids become k x 10^9 + the emulator's own: a port's row is then matched
// with its own switch's changes only, and switch 0's ids read as the emulator wrote them
// (docs/measurement.md, "results.json").
#include <cstddef>
#include <cstdint>

#include "common/result.hpp"
#include "coordinator/measure/ground_truth.hpp"

namespace mixnet::coord {

inline constexpr std::uint64_t kTruthIdStride = 1'000'000'000;

// Appends `part`, switch `switch_index`'s truth (0-based), to `into` in its own order, its ids
// renumbered. An id of 10^9 or more would land in the next switch's range and match its rows:
// such a part is refused whole (Errc::protocol, naming the id) and `into` is left as it was.
Result<void> merge_truth(measure::GroundTruth& into, measure::GroundTruth part, std::size_t switch_index);

}  // namespace mixnet::coord
