#pragma once
// Where the report writers read a run's items from, one item at a time: the results store (the
// run that just ended, `results RUN --out DIR`), or a RunDetail already in memory (`results
// --json`, tests). Reading from the store, writing a run's reports holds no step's items whole.
#include <functional>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

class RunItems {
 public:
  virtual ~RunItems() = default;
  // The step's items in the order recorded, final_attempt set; `only`: one loop item's attempt.
  virtual Result<void> for_each(const StepRow& step, const std::optional<AttemptKey>& only, const std::function<void(const ItemRow&)>& each) = 0;
};

class StoredRunItems final : public RunItems {
 public:
  StoredRunItems(ResultsStore& store, std::string run_id) : store_(store), run_id_(std::move(run_id)) {}
  Result<void> for_each(const StepRow& step, const std::optional<AttemptKey>& only, const std::function<void(const ItemRow&)>& each) override;

 private:
  ResultsStore& store_;
  std::string run_id_;
};

class LoadedRunItems final : public RunItems {
 public:
  explicit LoadedRunItems(const RunDetail& detail) : detail_(detail) {}
  Result<void> for_each(const StepRow& step, const std::optional<AttemptKey>& only, const std::function<void(const ItemRow&)>& each) override;

 private:
  const RunDetail& detail_;
};

// A loaded run's row and steps (copies: the steps are small without their items).
RunSteps steps_of(const RunDetail& detail);

}  // namespace mixnet::coord
