#include "coordinator/report/junit.hpp"

#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/report/json_report.hpp"

namespace mixnet::coord {
namespace {

std::string seconds(std::int64_t start, std::int64_t end) {
  return fmt::format("{:.3f}", end > start ? static_cast<double>(end - start) / 1e9 : 0.0);
}

struct Case {
  std::string classname;
  std::string name;
  std::string time;
  std::string outcome;   // "" pass, "failure", "skipped", "error"
  std::string message;
  std::string detail;
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

namespace {

Case junit_step_case(const std::string& suite, const StepRow& step) {
  Case c{suite, fmt::format("{:02d} {}", step.seq + 1, step.name), seconds(step.started_ns, step.finished_ns), "", step.message, ""};
  if (step.status == "failed" || step.status == "partial") c.outcome = "failure";
  else if (step.status == "skipped") c.outcome = "skipped";
  else if (step.status == "running") c.outcome = "error", c.message = "the run ended before this step finished";
  return c;
}

Case junit_item_case(const std::string& suite, const StepRow& step, const ItemRow& item) {
  const auto step_label = fmt::format("{:02d} {}", step.seq + 1, step.name);
  Case ic{suite + "." + step_label, fmt::format("{} {}", item.kind, item.id), seconds(item.started_ns, item.finished_ns), "", item.message,
          item.data.dump()};
  if (item.iteration > 0 || step.args.is_array()) ic.name += fmt::format(" [loop {}]", item.iteration);
  if (item.status == "skipped") ic.outcome = "skipped";
  else if (item.status != "ok") ic.outcome = "failure", ic.message = item.status + (item.message.empty() ? "" : ": " + item.message);
  // A failure the step ignored is still shown as failed, with the reason.
  if (!ic.outcome.empty() && ic.outcome == "failure" && step.status == "ignored") ic.message = "(ignored) " + ic.message;
  return ic;
}

// Every testcase of the run in order: per step its own, then one per item verdict of its final
// attempts, read one at a time; an incomplete or running run ends with an error testcase.
Result<void> junit_for_each_case(const RunSteps& run_steps, RunItems& items, const std::function<void(const Case&)>& each) {
  const auto& run = run_steps.run;
  const auto suite = run.playbook_name.empty() ? std::string("playbook") : run.playbook_name;
  for (const auto& step : run_steps.steps) {
    each(junit_step_case(suite, step));
    auto ok = items.for_each(step, std::nullopt, [&](const ItemRow& item) {
      if (item.final_attempt) each(junit_item_case(suite, step, item));
    });
    if (!ok) return ok;
  }
  const auto status = run.effective_status();
  if (status == "incomplete" || status == "running") {
    each({suite, "run complete", "0.000", "error", status == "incomplete" ? "the coordinator stopped before the run finished" : "the run is still running", ""});
  }
  return {};
}

void write_junit_case(std::ostream& out, const Case& c) {
  out << fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", xml_escape(c.classname), xml_escape(c.name), c.time);
  if (c.outcome.empty()) {
    out << "/>\n";
    return;
  }
  out << ">\n";
  if (c.outcome == "skipped") out << fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(c.message));
  else out << fmt::format("      <{0} message=\"{1}\">{2}</{0}>\n", c.outcome, xml_escape(c.message), xml_escape(c.detail));
  out << "    </testcase>\n";
}

}  // namespace

Result<void> write_junit(std::ostream& out, const RunSteps& run_steps, RunItems& items) {
  const auto& run = run_steps.run;
  const auto suite = run.playbook_name.empty() ? std::string("playbook") : run.playbook_name;
  // The header counts every testcase: a first pass counts them, a second writes them.
  std::size_t tests = 0;
  int failures = 0, errors = 0, skipped = 0;
  auto counted = junit_for_each_case(run_steps, items, [&](const Case& c) {
    ++tests;
    failures += c.outcome == "failure";
    errors += c.outcome == "error";
    skipped += c.outcome == "skipped";
  });
  if (!counted) return counted;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"mixnet-coord\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n", tests, failures,
                     errors, skipped, seconds(run.started_ns, run.finished_ns));
  out << fmt::format("  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
                     xml_escape(suite), xml_escape(run.id), tests, failures, errors, skipped, seconds(run.started_ns, run.finished_ns),
                     xml_escape(format_realtime_ns(run.started_ns)), xml_escape(run.hostname));
  out << "    <properties>\n";
  out << fmt::format("      <property name=\"run_id\" value=\"{}\"/>\n", xml_escape(run.id));
  out << fmt::format("      <property name=\"status\" value=\"{}\"/>\n", xml_escape(run.effective_status()));
  out << fmt::format("      <property name=\"inventory\" value=\"{}\"/>\n", xml_escape(run.inventory));
  out << fmt::format("      <property name=\"check_mode\" value=\"{}\"/>\n", run.check_mode ? "true" : "false");
  out << "    </properties>\n";
  if (auto written = junit_for_each_case(run_steps, items, [&](const Case& c) { write_junit_case(out, c); }); !written) return written;
  out << "  </testsuite>\n</testsuites>\n";
  return {};
}

std::string junit_xml(const RunDetail& detail) {
  std::ostringstream out;
  LoadedRunItems items(detail);
  (void)write_junit(out, steps_of(detail), items);   // a loaded run's items are read without error
  return out.str();
}

Result<std::string> write_junit(const RunSteps& run, RunItems& items, const std::string& dir) {
  return write_file_atomically(dir, "junit.xml", [&](std::ostream& out) { return write_junit(out, run, items); });
}

Result<std::string> write_junit(const RunDetail& detail, const std::string& dir) {
  LoadedRunItems items(detail);
  return write_junit(steps_of(detail), items, dir);
}

}  // namespace mixnet::coord
