#include "coordinator/report/json_report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "common/clock.hpp"

namespace mixnet::coord {

nlohmann::json run_to_json(const RunDetail& detail) {
  const auto& r = detail.run;
  nlohmann::json run = {{"id", r.id},
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
  auto steps = nlohmann::json::array();
  for (const auto& s : detail.steps) {
    auto items = nlohmann::json::array();
    for (const auto& i : detail.items) {
      if (i.step_seq != s.seq) continue;
      items.push_back({{"kind", i.kind},       {"id", i.id},           {"status", i.status},   {"message", i.message},
                       {"data", i.data},       {"hosts", i.hosts},     {"iteration", i.iteration}, {"attempt", i.attempt},
                       {"final", i.final_attempt}, {"started_ns", i.started_ns}, {"finished_ns", i.finished_ns}});
    }
    steps.push_back({{"seq", s.seq},
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
                     {"result", s.registered},
                     {"failed_hosts", s.failed_hosts},
                     {"items_total", s.items_total},
                     {"items_failed", s.items_failed},
                     {"items", items}});
  }
  return {{"format", "mixnet-coord results"}, {"version", 1}, {"run", run}, {"steps", steps}};
}

Result<std::string> write_results_json(const RunDetail& detail, const std::string& dir) {
  return write_file_atomically(dir, "results.json", run_to_json(detail).dump(2) + "\n");
}

}  // namespace mixnet::coord
