#pragma once
// What people see while a run goes. On a terminal: one line per step, redrawn in place as items
// arrive, with a tick per item grouped by host ("h1 ✓✓ h2 ✓✗"). Otherwise (CI logs, pipes): plain
// lines, one when a step starts, one per failed item, one when it ends. Registered after the
// store, so whatever is shown is already committed.
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "coordinator/engine/engine.hpp"

namespace mixnet::coord {

class ProgressObserver final : public RunObserver {
 public:
  ProgressObserver(std::FILE* out, bool live);
  ~ProgressObserver() override;
  ProgressObserver(const ProgressObserver&) = delete;
  ProgressObserver& operator=(const ProgressObserver&) = delete;
  void run_started(const RunHeader& run) override;
  void step_started(const Step& step, std::int64_t started_ns) override;
  void item(const Step& step, int iteration, int attempt, const ItemResult& item) override;
  void note(const Step& step, std::string_view text) override;
  void step_finished(const Step& step, const StepOutcome& outcome) override;
  void run_finished(const RunOutcome& outcome) override;

 private:
  void redraw();
  std::string ticks() const;
  std::string prefix(const Step& step) const;

  std::FILE* out_;
  bool live_;
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::size_t position_ = 0;
  std::map<std::size_t, std::size_t> position_of_seq_;
  std::string current_;                                // "[2/5] verify links"
  std::string note_;
  std::vector<std::pair<std::string, std::string>> ticks_;   // host -> tick string, in arrival order
  int last_attempt_ = 0;
  std::int64_t step_started_ns_ = 0;
  std::int64_t run_started_ns_ = 0;
  bool check_mode_ = false;
  bool step_active_ = false;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread ticker_;   // live mode: redraws the running step's line (its clock) 4 times a second
};

// "[1] name (module) tags: a, b" lines for --list-steps.
std::string list_steps_text(const Playbook& playbook, const std::vector<std::string>& tags, const std::vector<std::string>& skip_tags);

}  // namespace mixnet::coord
