#include "coordinator/report/json_report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/engine/registered_items.hpp"

namespace mixnet::coord {

namespace {

nlohmann::json results_run_json(const RunRow& r) {
  return {{"id", r.id},
          {"playbook", r.playbook},
          {"playbook_name", r.playbook_name},
          {"inventory", r.inventory},
          {"out_dir", r.out_dir},
          {"check_mode", r.check_mode},
          {"args", r.args},
          {"status", r.effective_status()},
          {"message", r.message},
          {"pid", r.pid},
          {"hostname", r.hostname},
          {"started", format_realtime_ns(r.started_ns)},
          {"started_ns", r.started_ns},
          {"finished_ns", r.finished_ns},
          {"duration_s", r.finished_ns > 0 ? static_cast<double>(r.finished_ns - r.started_ns) / 1e9 : 0.0},
          {"failed_hosts", r.failed_hosts}};
}

nlohmann::json results_item_json(const ItemRow& i) {
  return {{"kind", i.kind},       {"id", i.id},           {"status", i.status},       {"message", i.message},
          {"data", i.data},       {"hosts", i.hosts},     {"iteration", i.iteration}, {"attempt", i.attempt},
          {"final", i.final_attempt}, {"started_ns", i.started_ns}, {"finished_ns", i.finished_ns}};
}

// A step's entry of "steps", its items list and its result as given.
nlohmann::json results_step_json(const StepRow& s, nlohmann::json items, nlohmann::json result) {
  return {{"seq", s.seq},
          {"section", s.section},
          {"name", s.name},
          {"module", s.module},
          {"line", s.line},
          {"status", s.status},
          {"changed", s.changed},
          {"message", s.message},
          {"attempts", s.attempts},
          {"started_ns", s.started_ns},
          {"finished_ns", s.finished_ns},
          {"duration_s", s.finished_ns > 0 ? static_cast<double>(s.finished_ns - s.started_ns) / 1e9 : 0.0},
          {"args", s.args},
          {"result", std::move(result)},
          {"failed_hosts", s.failed_hosts},
          {"items_total", s.items_total},
          {"items_failed", s.items_failed},
          {"items", std::move(items)}};
}

std::string results_pad(int depth) { return std::string(static_cast<std::size_t>(depth) * 2, ' '); }

// Prints a placeholder's list (a binary value stands for it: the subtype says which).
using ResultsFillHole = std::function<Result<void>(std::uint64_t hole, int depth)>;

// `v` as v.dump(2) prints it `depth` levels down a document, each placeholder printed by `fill`.
Result<void> write_results_pretty(std::ostream& out, const nlohmann::json& v, int depth, const ResultsFillHole& fill) {
  if (v.is_binary()) return fill(v.get_binary().subtype(), depth);
  const bool object = v.is_object();
  if ((!object && !v.is_array()) || v.empty()) {
    out << v.dump();
    return {};
  }
  out << (object ? "{\n" : "[\n");
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it != v.begin()) out << ",\n";
    out << results_pad(depth + 1);
    if (object) out << nlohmann::json(it.key()).dump() << ": ";
    if (auto ok = write_results_pretty(out, *it, depth + 1, fill); !ok) return ok;
  }
  out << "\n" << results_pad(depth) << (object ? "}" : "]");
  return {};
}

Result<void> results_no_holes(std::uint64_t, int) { return {}; }

// A JSON array printed one element at a time, `depth` levels down.
class ResultsStreamedArray {
 public:
  ResultsStreamedArray(std::ostream& out, int depth) : out_(out), depth_(depth) {}
  void add(const nlohmann::json& element) {
    out_ << (count_++ == 0 ? "[\n" : ",\n") << results_pad(depth_ + 1);
    (void)write_results_pretty(out_, element, depth_ + 1, results_no_holes);   // no placeholders: cannot fail
  }
  void close() { out_ << (count_ == 0 ? "[]" : "\n" + results_pad(depth_) + "]"); }

 private:
  std::ostream& out_;
  int depth_;
  std::size_t count_ = 0;
};

// One step of "steps", its items read one at a time: its own list, and its result's lists where
// the store left them out (registered_items.hpp).
Result<void> write_results_step(std::ostream& out, const StepRow& step, RunItems& items) {
  constexpr std::uint64_t kStepItems = 0;
  std::vector<AttemptKeys> result_lists;   // hole k + 1
  auto result = step.registered;
  put_back_items(result, [&](const AttemptKeys& keys) {
    result_lists.push_back(keys);
    return nlohmann::json::binary({}, result_lists.size());
  });
  const auto doc = results_step_json(step, nlohmann::json::binary({}, kStepItems), std::move(result));
  return write_results_pretty(out, doc, 2, [&](std::uint64_t hole, int depth) -> Result<void> {
    ResultsStreamedArray list(out, depth);
    if (hole == kStepItems) {
      if (auto ok = items.for_each(step, std::nullopt, [&](const ItemRow& i) { list.add(results_item_json(i)); }); !ok) return ok;
    } else {
      for (const auto& key : result_lists.at(hole - 1)) {
        auto ok = items.for_each(step, key, [&](const ItemRow& i) { list.add(registered_item(item_result_of(i))); });
        if (!ok) return ok;
      }
    }
    list.close();
    return {};
  });
}

}  // namespace

nlohmann::json run_to_json(const RunDetail& detail) {
  auto steps = nlohmann::json::array();
  for (const auto& s : detail.steps) {
    auto items = nlohmann::json::array();
    for (const auto& i : detail.items) {
      if (i.step_seq == s.seq) items.push_back(results_item_json(i));
    }
    steps.push_back(results_step_json(s, std::move(items), s.registered));
  }
  return {{"format", "mixnet-coord results"}, {"version", 1}, {"run", results_run_json(detail.run)}, {"steps", steps}};
}

Result<void> write_results_json(std::ostream& out, const RunSteps& run, RunItems& items) {
  // What run_to_json(...).dump(2) prints (keys in order), one step and one item at a time.
  out << "{\n  \"format\": \"mixnet-coord results\",\n  \"run\": ";
  (void)write_results_pretty(out, results_run_json(run.run), 1, results_no_holes);
  out << ",\n  \"steps\": ";
  if (run.steps.empty()) out << "[]";
  for (std::size_t k = 0; k < run.steps.size(); ++k) {
    out << (k == 0 ? "[\n    " : ",\n    ");
    if (auto ok = write_results_step(out, run.steps[k], items); !ok) return ok;
  }
  if (!run.steps.empty()) out << "\n  ]";
  out << ",\n  \"version\": 1\n}\n";
  return {};
}

Result<std::string> write_results_json(const RunSteps& run, RunItems& items, const std::string& dir) {
  return write_file_atomically(dir, "results.json", [&](std::ostream& out) { return write_results_json(out, run, items); });
}

Result<std::string> write_results_json(const RunDetail& detail, const std::string& dir) {
  LoadedRunItems items(detail);
  return write_results_json(steps_of(detail), items, dir);
}

}  // namespace mixnet::coord
