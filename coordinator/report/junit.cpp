#include "coordinator/report/junit.hpp"

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

std::string junit_xml(const RunDetail& detail) {
  const auto& run = detail.run;
  const auto suite = run.playbook_name.empty() ? std::string("playbook") : run.playbook_name;
  std::vector<Case> cases;
  for (const auto& step : detail.steps) {
    const auto step_label = fmt::format("{:02d} {}", step.seq + 1, step.name);
    Case c{suite, step_label, seconds(step.started_ns, step.finished_ns), "", step.message, ""};
    if (step.status == "failed" || step.status == "partial") c.outcome = "failure";
    else if (step.status == "skipped") c.outcome = "skipped";
    else if (step.status == "running") c.outcome = "error", c.message = "the run ended before this step finished";
    cases.push_back(std::move(c));
    for (const auto& item : detail.items) {
      if (item.step_seq != step.seq || !item.final_attempt) continue;
      Case ic{suite + "." + step_label, fmt::format("{} {}", item.kind, item.id), seconds(item.started_ns, item.finished_ns), "", item.message,
              item.data.dump()};
      if (item.iteration > 0 || step.args.is_array()) ic.name += fmt::format(" [loop {}]", item.iteration);
      if (item.status == "skipped") ic.outcome = "skipped";
      else if (item.status != "ok") ic.outcome = "failure", ic.message = item.status + (item.message.empty() ? "" : ": " + item.message);
      // A failure the step ignored is still shown as failed, with the reason.
      if (!ic.outcome.empty() && ic.outcome == "failure" && step.status == "ignored") ic.message = "(ignored) " + ic.message;
      cases.push_back(std::move(ic));
    }
  }
  const auto status = run.effective_status();
  if (status == "incomplete" || status == "running") {
    cases.push_back({suite, "run complete", "0.000", "error",
                     status == "incomplete" ? "the coordinator stopped before the run finished" : "the run is still running", ""});
  }
  int failures = 0, errors = 0, skipped = 0;
  for (const auto& c : cases) {
    failures += c.outcome == "failure";
    errors += c.outcome == "error";
    skipped += c.outcome == "skipped";
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"mixnet-coord\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n", cases.size(), failures,
                     errors, skipped, seconds(run.started_ns, run.finished_ns));
  xml += fmt::format("  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
                     xml_escape(suite), xml_escape(run.id), cases.size(), failures, errors, skipped, seconds(run.started_ns, run.finished_ns),
                     xml_escape(format_realtime_ns(run.started_ns)), xml_escape(run.hostname));
  xml += "    <properties>\n";
  xml += fmt::format("      <property name=\"run_id\" value=\"{}\"/>\n", xml_escape(run.id));
  xml += fmt::format("      <property name=\"status\" value=\"{}\"/>\n", xml_escape(status));
  xml += fmt::format("      <property name=\"inventory\" value=\"{}\"/>\n", xml_escape(run.inventory));
  xml += fmt::format("      <property name=\"check_mode\" value=\"{}\"/>\n", run.check_mode ? "true" : "false");
  xml += "    </properties>\n";
  for (const auto& c : cases) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", xml_escape(c.classname), xml_escape(c.name), c.time);
    if (c.outcome.empty()) {
      xml += "/>\n";
      continue;
    }
    xml += ">\n";
    if (c.outcome == "skipped") xml += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(c.message));
    else xml += fmt::format("      <{0} message=\"{1}\">{2}</{0}>\n", c.outcome, xml_escape(c.message), xml_escape(c.detail));
    xml += "    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

Result<std::string> write_junit(const RunDetail& detail, const std::string& dir) {
  return write_file_atomically(dir, "junit.xml", junit_xml(detail));
}

}  // namespace mixnet::coord
