#include "coordinator/reconfig/truth_merge.hpp"

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

// The first id of `part` that does not fit below the stride, as "change 1000000001" / "batch ..." / "plane event's change ...".
std::string truth_id_out_of_range(const measure::GroundTruth& part) {
  for (const auto& c : part.changes) {
    if (c.id >= kTruthIdStride) return fmt::format("change id {}", c.id);
    if (c.batch >= kTruthIdStride) return fmt::format("batch {} of change {}", c.batch, c.id);
  }
  for (const auto& e : part.plane_events) {
    if (e.change_id >= kTruthIdStride) return fmt::format("plane event's change id {}", e.change_id);
  }
  return {};
}

}  // namespace

Result<void> merge_truth(measure::GroundTruth& into, measure::GroundTruth part, std::size_t switch_index) {
  if (const auto bad = truth_id_out_of_range(part); !bad.empty()) {
    return fail(Errc::protocol, fmt::format("{} is {} or more: it cannot be told apart from the next switch's in one measurement", bad, kTruthIdStride),
                "change_id");
  }
  const std::uint64_t offset = switch_index * kTruthIdStride;
  for (auto& c : part.changes) {
    c.id += offset;
    if (c.batch != 0) c.batch += offset;
    into.changes.push_back(std::move(c));
  }
  for (auto& e : part.plane_events) {
    if (e.change_id != 0) e.change_id += offset;   // 0: a fault, caused by no change
    into.plane_events.push_back(std::move(e));
  }
  return {};
}

}  // namespace mixnet::coord
