#include "coordinator/report/prometheus_health.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "coordinator/report/health_verdicts.hpp"
#include "coordinator/report/report_file.hpp"

namespace mixnet::coord {
namespace {

using health::PartKind;
using health::Severity;

constexpr std::string_view kPrefix = "mixnet_health_";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Severity kJudged[] = {Severity::warning, Severity::critical, Severity::unknown};
constexpr PartKind kKinds[] = {PartKind::host, PartKind::port, PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair};

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  std::string labels;   // rendered: {a="x",b="y"} or empty
  double value = 0;
  std::int64_t at_ns = 0;
};

struct Family {
  std::string name;
  std::string help;
  std::vector<Sample> samples;
  std::map<std::string, std::size_t> index;   // labels -> position in samples
};

// Families in the order they were first used, so the file reads run -> hosts -> ports -> figures.
class Exposition {
 public:
  // Adds (or, for the same labels, replaces when at least as recent) one sample.
  void set(const std::string& name, const std::string& help, const Labels& labels, double value, std::int64_t at_ns = 0) {
    auto [it, inserted] = by_name_.try_emplace(name, families_.size());
    if (inserted) families_.push_back(Family{name, help, {}, {}});
    auto& family = families_[it->second];
    auto rendered = render(labels);
    auto [pos, fresh] = family.index.try_emplace(rendered, family.samples.size());
    if (fresh) {
      family.samples.push_back(Sample{std::move(rendered), value, at_ns});
    } else if (at_ns >= family.samples[pos->second].at_ns) {
      family.samples[pos->second].value = value;
      family.samples[pos->second].at_ns = at_ns;
    }
  }
  [[nodiscard]] bool has(const std::string& name) const { return by_name_.contains(name); }

  [[nodiscard]] std::string text() const {
    std::string out;
    for (const auto& f : families_) {
      out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", f.name, prometheus_help_escape(f.help), f.name);
      for (const auto& s : f.samples) out += fmt::format("{}{} {}\n", f.name, s.labels, number(s.value));
    }
    return out;
  }

 private:
  static std::string render(const Labels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out += ',';
      out += fmt::format("{}=\"{}\"", labels[i].first, prometheus_label_escape(labels[i].second));
    }
    return out + "}";
  }
  static std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
  }

  std::vector<Family> families_;
  std::map<std::string, std::size_t> by_name_;
};

double severity_value(Severity s) { return static_cast<double>(health::exit_code(s)); }

std::pair<std::string, std::string> split_once(const std::string& text, char separator) {
  const auto at = text.find(separator);
  if (at == std::string::npos) return {text, ""};
  return {text.substr(0, at), text.substr(at + 1)};
}

// The labels that name a part of each kind (see the naming scheme in health_types.hpp).
Labels part_labels(PartKind kind, const std::string& part) {
  switch (kind) {
    case PartKind::host: return {{"host", part}};
    case PartKind::port: return {{"host", std::string(host_of_port(part))}, {"port", std::string(port_of_port(part))}};
    case PartKind::ocs_port: {
      auto [sw, port] = split_once(part, '/');
      return {{"switch", sw}, {"port", port}};
    }
    case PartKind::circuit: {
      auto [from, to] = split_once(part, '>');
      return {{"from", from}, {"to", to}};
    }
    case PartKind::eps_pair: {
      auto [a, b] = split_once(part, '~');
      return {{"a", a}, {"b", b}};
    }
  }
  return {{"part", part}};
}

std::string family_name(PartKind kind, std::string_view what) { return fmt::format("{}{}_{}", kPrefix, health::to_string(kind), what); }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

struct UnitSpelling {
  std::string_view abbreviated;
  std::string_view spelled;
  double scale;
};
// promtool's lint refuses abbreviated units in names; a time is a number of seconds.
constexpr UnitSpelling kUnits[] = {
    {"_ms", "_seconds", 1e-3}, {"_us", "_seconds", 1e-6}, {"_ns", "_seconds", 1e-9},
    {"_sec", "_seconds", 1.0}, {"_secs", "_seconds", 1.0}, {"_s", "_seconds", 1.0},
};

std::string lower_snake(std::string_view figure) {
  std::string out;
  for (const char c : figure) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') out += c;
    else out += '_';
  }
  return out.empty() ? std::string("unnamed") : out;
}

}  // namespace

std::string prometheus_label_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_help_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_figure_name(std::string_view figure) {
  auto name = lower_snake(figure);
  for (const auto& u : kUnits) {
    if (ends_with(name, u.abbreviated)) {
      name = name.substr(0, name.size() - u.abbreviated.size()) + std::string(u.spelled);
      break;
    }
  }
  if (ends_with(name, "_total") && name.size() > 6) name.resize(name.size() - 6);
  return name;
}

double prometheus_figure_scale(std::string_view figure) {
  const auto name = lower_snake(figure);
  for (const auto& u : kUnits) {
    if (ends_with(name, u.abbreviated)) return u.scale;
  }
  return 1.0;
}

std::string prometheus_health_text(const health::HealthReport& report) {
  Exposition e;
  const auto verdicts = verdicts_of(report);

  // The run.
  e.set("mixnet_health_run_info", "The last nightly health run (value 1), labelled with its run id.", {{"run_id", report.run_id}}, 1);
  e.set("mixnet_health_run_severity",
        "Worst verdict of the last nightly health run: 0 ok, 1 warning, 2 critical, 3 unknown (could not judge); "
        "the exit code of mixnet-coord health.",
        {}, severity_value(report.overall));
  const auto at_ns = report.finished_ns != 0 ? report.finished_ns : report.started_ns;
  e.set("mixnet_health_run_timestamp_seconds", "When the last nightly health run finished (Unix time).", {},
        at_ns != 0 ? static_cast<double>(at_ns) / 1e9 : kNaN);
  e.set("mixnet_health_run_duration_seconds", "How long the last nightly health run took.", {},
        report.finished_ns > report.started_ns ? static_cast<double>(report.finished_ns - report.started_ns) / 1e9 : kNaN);
  std::size_t passed = 0;
  for (const auto& t : report.tests) passed += t.passed ? 1 : 0;
  const char* tests_help = "Bandwidth tests of the last nightly health run (first pass and retests), by result.";
  e.set("mixnet_health_run_tests", tests_help, {{"result", "passed"}}, static_cast<double>(passed));
  e.set("mixnet_health_run_tests", tests_help, {{"result", "failed"}}, static_cast<double>(report.tests.size() - passed));
  std::map<std::pair<PartKind, Severity>, std::size_t> blame_count;
  for (const auto& b : report.blames) ++blame_count[{b.kind, b.severity}];
  for (const auto kind : kKinds) {
    for (const auto s : kJudged) {
      e.set("mixnet_health_blames", "Parts blamed by the last nightly health run, by kind of part and severity.",
            {{"kind", health::to_string(kind)}, {"severity", health::to_string(s)}}, static_cast<double>(blame_count[{kind, s}]));
    }
  }

  // Hosts and NIC ports: every one of the inventory, ok unless something was said about it.
  for (const auto& host : report.hosts) {
    e.set(family_name(PartKind::host, "severity"),
          "Verdict on each host (its own findings and blames and its ports'): 0 ok, 1 warning, 2 critical, 3 unknown.",
          part_labels(PartKind::host, host), severity_value(verdicts.hosts.at(host)));
  }
  for (const auto& host : report.hosts) {
    e.set(family_name(PartKind::host, "blamed"), "1 when the last nightly health run blamed something that takes the host out of service.",
          part_labels(PartKind::host, host), verdicts.blamed_hosts.at(host) ? 1 : 0);
  }
  std::map<std::string, std::pair<std::size_t, std::size_t>> port_tests;   // port -> passed, failed
  std::map<std::string, double> port_best;
  for (const auto& t : report.tests) {
    for (const auto* end : {&t.a, &t.b}) {
      auto& [ok, bad] = port_tests[*end];
      (t.passed ? ok : bad) += 1;
      if (t.gbps) {
        auto [it, inserted] = port_best.try_emplace(*end, *t.gbps);
        if (!inserted && *t.gbps > it->second) it->second = *t.gbps;
      }
    }
  }
  for (const auto& port : report.ports) {
    e.set(family_name(PartKind::port, "severity"),
          "Verdict on each NIC port (its own findings and blames and its host's): 0 ok, 1 warning, 2 critical, 3 unknown.",
          part_labels(PartKind::port, port), severity_value(verdicts.ports.at(port)));
  }
  for (const auto& port : report.ports) {
    const auto [ok, bad] = port_tests[port];
    const char* help = "Bandwidth tests that involved each NIC port in the last nightly health run, by result.";
    auto labels = part_labels(PartKind::port, port);
    labels.emplace_back("result", "passed");
    e.set(family_name(PartKind::port, "tests"), help, labels, static_cast<double>(ok));
    labels.back().second = "failed";
    e.set(family_name(PartKind::port, "tests"), help, labels, static_cast<double>(bad));
  }
  for (const auto& port : report.ports) {
    const auto it = port_best.find(port);
    e.set(family_name(PartKind::port, "best_bandwidth_gbps"),
          "Highest bandwidth any test of each NIC port reached in the last nightly health run, in Gb/s (NaN: no test gave a figure); "
          "a port low here was slow with every partner.",
          part_labels(PartKind::port, port), it == port_best.end() ? kNaN : it->second);
  }

  // Switch ports, circuits and EPS pairs: those something was measured on or said about.
  for (const auto kind : {PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair}) {
    auto said = part_verdicts(report, kind);
    for (const auto& o : report.observations) {
      if (o.kind == kind) said.try_emplace(o.part, Severity::ok);
    }
    for (const auto& [part, s] : said) {
      e.set(family_name(kind, "severity"),
            fmt::format("Verdict on each {} measured in the last nightly health run: 0 ok, 1 warning, 2 critical, 3 unknown.",
                        health::to_string(kind)),
            part_labels(kind, part), severity_value(s));
    }
  }

  // Every figure measured: one family per kind of part and figure, the latest value of each part
  // (a retest supersedes the first pass); NaN where the check could not produce the figure.
  std::map<std::string, std::string> family_of_figure;   // family name -> the figure it came from
  for (const auto& o : report.observations) {
    auto name = family_name(o.kind, prometheus_figure_name(o.figure));
    if (!family_of_figure.contains(name) && e.has(name)) name += "_observed";   // a figure named like a verdict family
    family_of_figure.try_emplace(name, o.figure);
    const auto help = fmt::format("{} of each {} in the last nightly health run{}, latest measurement (NaN: could not be measured).",
                                  o.figure, health::to_string(o.kind),
                                  o.unit.empty() ? std::string{} : fmt::format(" (measured in {})", o.unit));
    const double value = o.value ? *o.value * prometheus_figure_scale(o.figure) : kNaN;
    e.set(name, help, part_labels(o.kind, o.part), value, o.at_ns);
  }
  return e.text();
}

Result<void> write_prometheus_textfile(const health::HealthReport& report, const std::string& path) {
  return write_report_file(path, prometheus_health_text(report), "prometheus textfile");
}

}  // namespace mixnet::coord
