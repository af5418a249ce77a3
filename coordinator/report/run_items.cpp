#include "coordinator/report/run_items.hpp"

namespace mixnet::coord {

Result<void> StoredRunItems::for_each(const StepRow& step, const std::optional<AttemptKey>& only, const std::function<void(const ItemRow&)>& each) {
  auto last = store_.last_attempts(run_id_, step.seq);
  if (!last) return std::unexpected(last.error());
  return store_.for_each_item(run_id_, step.seq, only, [&](ItemRow&& row) {
    row.final_attempt = row.attempt == (*last)[row.iteration];
    each(row);
  });
}

Result<void> LoadedRunItems::for_each(const StepRow& step, const std::optional<AttemptKey>& only, const std::function<void(const ItemRow&)>& each) {
  for (const auto& item : detail_.items) {
    if (item.step_seq != step.seq) continue;
    if (only && (item.iteration != only->first || item.attempt != only->second)) continue;
    each(item);
  }
  return {};
}

RunSteps steps_of(const RunDetail& detail) { return {detail.run, detail.steps}; }

}  // namespace mixnet::coord
