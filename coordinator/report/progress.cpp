#include "coordinator/report/progress.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/clock.hpp"

namespace mixnet::coord {
namespace {

const char* tick_of(const std::string& status) {
  if (status == "ok") return "\u2713";       // ✓
  if (status == "skipped") return "-";
  return "\u2717";                           // ✗
}

std::string status_word(StepStatus status) {
  switch (status) {
    case StepStatus::ok: return "ok";
    case StepStatus::changed: return "changed";
    case StepStatus::partial: return "PARTIAL";
    case StepStatus::failed: return "FAILED";
    case StepStatus::ignored: return "ignored";
    case StepStatus::skipped: return "skipped";
  }
  return "?";
}

}  // namespace

ProgressObserver::ProgressObserver(std::FILE* out, bool live) : out_(out), live_(live) {
  if (!live_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(250));
      if (!stopping_ && step_active_) redraw();
    }
  });
}

ProgressObserver::~ProgressObserver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void ProgressObserver::run_started(const RunHeader& run) {
  std::lock_guard lock(mutex_);
  total_ = run.selected.size();
  for (std::size_t i = 0; i < run.selected.size(); ++i) position_of_seq_[run.selected[i]->seq] = i + 1;
  run_started_ns_ = run.started_ns;
  check_mode_ = run.check_mode;
  fmt::print(out_, "run {}: {} ({} step{}{})\n", run.run_id, run.playbook != nullptr ? run.playbook->name : "", total_, total_ == 1 ? "" : "s",
             run.check_mode ? ", check mode: nothing will be changed" : "");
  std::fflush(out_);
}

std::string ProgressObserver::prefix(const Step& step) const {
  const auto it = position_of_seq_.find(step.seq);
  const auto pos = it == position_of_seq_.end() ? 0 : it->second;
  return fmt::format("[{}/{}]{} {}", pos, total_, step.in_always ? " always:" : "", step.name);
}

std::string ProgressObserver::ticks() const {
  std::string out;
  for (const auto& [host, marks] : ticks_) out += fmt::format(" {} {}", host, marks);
  return out;
}

void ProgressObserver::redraw() {
  if (!live_) return;
  const double elapsed = static_cast<double>(realtime_ns() - step_started_ns_) / 1e9;
  auto line = fmt::format("{}  {:.1f}s{}{}", current_, elapsed, ticks(), note_.empty() ? "" : "  " + note_);
  fmt::print(out_, "\r\033[K{}", line);
  std::fflush(out_);
}

void ProgressObserver::step_started(const Step& step, std::int64_t started_ns) {
  std::lock_guard lock(mutex_);
  current_ = prefix(step);
  note_.clear();
  ticks_.clear();
  last_attempt_ = 0;
  step_started_ns_ = started_ns;
  step_active_ = true;
  if (live_) redraw();
  else fmt::print(out_, "{} ({}) ...\n", current_, step.module);
  std::fflush(out_);
}

void ProgressObserver::item(const Step& /*step*/, int /*iteration*/, int attempt, const ItemResult& item) {
  std::lock_guard lock(mutex_);
  if (attempt != last_attempt_) {   // a retry starts the ticks again
    ticks_.clear();
    last_attempt_ = attempt;
  }
  const std::string host = item.hosts.empty() ? item.id : item.hosts.front();
  auto it = std::ranges::find_if(ticks_, [&](const auto& t) { return t.first == host; });
  if (it == ticks_.end()) {
    ticks_.emplace_back(host, "");
    it = ticks_.end() - 1;
  }
  it->second += tick_of(item.status);
  if (live_) {
    redraw();
  } else if (!item.passed()) {
    fmt::print(out_, "    {} {}: {}{}\n", item.kind, item.id, item.status, item.message.empty() ? "" : " (" + item.message + ")");
    std::fflush(out_);
  }
}

void ProgressObserver::note(const Step& /*step*/, std::string_view text) {
  std::lock_guard lock(mutex_);
  note_ = std::string(text);
  if (live_) redraw();
  else fmt::print(out_, "    {}\n", text);
  std::fflush(out_);
}

void ProgressObserver::step_finished(const Step& step, const StepOutcome& outcome) {
  std::lock_guard lock(mutex_);
  const double seconds = static_cast<double>(outcome.finished_ns - outcome.started_ns) / 1e9;
  const auto line = fmt::format("{}: {} ({:.2f}s{}){}{}", prefix(step), status_word(outcome.status), seconds,
                                outcome.items_total > 0 ? fmt::format(", {}/{} items ok", outcome.items_total - outcome.items_failed, outcome.items_total) : "",
                                outcome.message.empty() ? "" : " " + outcome.message, live_ ? ticks() : "");
  if (live_) fmt::print(out_, "\r\033[K{}\n", line);
  else fmt::print(out_, "{}\n", line);
  ticks_.clear();
  step_active_ = false;
  std::fflush(out_);
}

void ProgressObserver::run_finished(const RunOutcome& outcome) {
  std::lock_guard lock(mutex_);
  const double seconds = static_cast<double>(outcome.finished_ns - run_started_ns_) / 1e9;
  fmt::print(out_, "run {}{}: {} step{} run, {} failed, {} host{} failed ({:.2f}s){}\n", outcome.passed ? "PASSED" : "FAILED",
             check_mode_ ? " (check mode)" : "", outcome.steps_run, outcome.steps_run == 1 ? "" : "s", outcome.steps_failed,
             outcome.failed_hosts.size(), outcome.failed_hosts.size() == 1 ? "" : "s", seconds, outcome.message.empty() ? "" : ": " + outcome.message);
  std::fflush(out_);
}

std::string list_steps_text(const Playbook& playbook, const std::vector<std::string>& tags, const std::vector<std::string>& skip_tags) {
  std::string out = fmt::format("playbook {}: {} step{}{}\n", playbook.name, playbook.steps.size(), playbook.steps.size() == 1 ? "" : "s",
                                playbook.always.empty() ? "" : fmt::format(" + {} always", playbook.always.size()));
  for (const auto* step : playbook.all_steps()) {
    const bool selected = step_selected(*step, tags, skip_tags);
    std::string tag_text;
    for (const auto& t : step->tags) tag_text += (tag_text.empty() ? "" : ", ") + t;
    out += fmt::format("  {:>3} {}{} ({}){}{}\n", step->seq + 1, step->in_always ? "always: " : "", step->name, step->module,
                       tag_text.empty() ? "" : "  tags: " + tag_text, selected ? "" : "  [not selected]");
  }
  return out;
}

}  // namespace mixnet::coord
