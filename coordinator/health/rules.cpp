#include "coordinator/health/rules.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "coordinator/health/baseline.hpp"
#include "coordinator/health/peer_medians.hpp"
#include "coordinator/health/rule.hpp"
#include "coordinator/health/rules_default_text.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord::health {

RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

namespace {

using yamlx::Source;

// --- Reading ---

std::optional<PartKind> part_kind_from(const std::string& word) {
  for (auto k : {PartKind::host, PartKind::port, PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair})
    if (word == to_string(k)) return k;
  return std::nullopt;
}

class RulesReader {
 public:
  explicit RulesReader(Source src) : src_(std::move(src)) {}

  Result<RuleSet> read(const YAML::Node& root) {
    if (auto ok = yamlx::only_keys(root, src_, "", {"version", "rules"}); !ok) return std::unexpected(ok.error());
    if (root["version"]) {
      auto v = yamlx::integer(root["version"], src_, "version");
      if (!v) return std::unexpected(v.error());
      if (*v != 1) return yamlx::error_at(src_, root["version"], "version", "only version 1 is known");
    }
    const auto list = root["rules"];
    if (!list) return yamlx::error_at(src_, root, "rules", "missing (a list of rules)");
    if (auto ok = yamlx::expect_seq(list, src_, "rules"); !ok) return std::unexpected(ok.error());
    RuleSet set;
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto rule = read_rule(list[i], yamlx::index("rules", i));
      if (!rule) return std::unexpected(rule.error());
      if (!names.insert(rule->name).second)
        return yamlx::error_at(src_, list[i]["name"], where(rule->name, "name"), "a second rule of this name");
      set.rules.push_back(std::move(*rule));
    }
    set.source = src_.file;
    return set;
  }

 private:
  // "rule 'bw-drop': FIELD" once the rule's name is known, so the error names the rule.
  static std::string where(const std::string& rule, const std::string& field) {
    if (rule.empty()) return field;
    return field.empty() ? fmt::format("rule '{}'", rule) : fmt::format("rule '{}': {}", rule, field);
  }

  Result<Rule> read_rule(const YAML::Node& node, const std::string& path) {
    if (auto ok = yamlx::expect_map(node, src_, path); !ok) return std::unexpected(ok.error());
    Rule r;
    if (!node["name"]) return yamlx::error_at(src_, node, yamlx::join(path, "name"), "missing (every rule has a name)");
    auto name = yamlx::string(node["name"], src_, yamlx::join(path, "name"));
    if (!name) return std::unexpected(name.error());
    r.name = *name;
    // The rule's own keys, checked here so the error reads "rule 'x': KEY: unknown key".
    static constexpr std::string_view kRuleKeys[] = {"name", "description", "match", "missing", "threshold", "baseline", "new_events", "peers"};
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) == std::end(kRuleKeys))
        return yamlx::error_at(src_, it->first, where(r.name, key),
                               "unknown key (allowed here: name, description, match, missing, threshold, baseline, new_events, peers)");
    }
    if (node["description"]) {
      auto d = yamlx::scalar(node["description"], src_, where(r.name, "description"));
      if (!d) return std::unexpected(d.error());
      r.description = *d;
    }
    if (auto ok = read_match(node["match"], node, r); !ok) return std::unexpected(ok.error());
    if (node["missing"]) {
      auto m = yamlx::string(node["missing"], src_, where(r.name, "missing"));
      if (!m) return std::unexpected(m.error());
      if (*m == "warning") r.missing = Severity::warning;
      else if (*m == "critical") r.missing = Severity::critical;
      else if (*m == "unknown") r.missing = Severity::unknown;
      else return yamlx::error_at(src_, node["missing"], where(r.name, "missing"), "expected warning, critical or unknown (a missing result is never ok)");
    }
    int forms = 0;
    for (const char* f : {"threshold", "baseline", "new_events", "peers"}) forms += node[f] ? 1 : 0;
    if (forms != 1)
      return yamlx::error_at(src_, node, where(r.name, ""), "needs exactly one of threshold, baseline, new_events, peers");
    Result<void> ok;
    if (node["threshold"]) ok = read_threshold(node["threshold"], r);
    else if (node["baseline"]) ok = read_baseline_form(node["baseline"], r);
    else if (node["new_events"]) ok = read_new_events(node["new_events"], r);
    else ok = read_peers(node["peers"], where(r.name, "peers"), r);
    if (!ok) return std::unexpected(ok.error());
    return r;
  }

  Result<void> read_match(const YAML::Node& node, const YAML::Node& rule_node, Rule& r) {
    const auto path = where(r.name, "match");
    if (!node) return yamlx::error_at(src_, rule_node, path, "missing (match: {kind: ..., figure: ...})");
    if (auto ok = yamlx::only_keys(node, src_, path, {"kind", "figure", "part"}); !ok) return ok;
    if (const auto kind = node["kind"]) {
      const auto kpath = path + ".kind";
      std::vector<YAML::Node> words;
      if (kind.IsSequence()) for (const auto& k : kind) words.push_back(k);
      else words.push_back(kind);
      for (const auto& w : words) {
        auto text = yamlx::string(w, src_, kpath);
        if (!text) return std::unexpected(text.error());
        auto k = part_kind_from(*text);
        if (!k) return yamlx::error_at(src_, w, kpath, fmt::format("unknown part kind '{}' (host, port, ocs_port, circuit, eps_pair)", *text));
        r.kinds.push_back(*k);
      }
    }
    if (!node["figure"]) return yamlx::error_at(src_, node, path + ".figure", "missing (a figure name or glob, e.g. bandwidth_gbps)");
    const auto fig = node["figure"];
    std::vector<YAML::Node> globs;
    if (fig.IsSequence()) for (const auto& g : fig) globs.push_back(g);
    else globs.push_back(fig);
    if (globs.empty()) return yamlx::error_at(src_, fig, path + ".figure", "an empty list matches nothing");
    for (const auto& g : globs) {
      auto figure = yamlx::string(g, src_, path + ".figure");
      if (!figure) return std::unexpected(figure.error());
      r.figure_globs.push_back(*figure);
    }
    if (node["part"]) {
      auto part = yamlx::string(node["part"], src_, path + ".part");
      if (!part) return std::unexpected(part.error());
      r.part_glob = *part;
    }
    return {};
  }

  // {warning: X, critical: Y}, at least one.
  Result<Levels> read_levels(const YAML::Node& node, const std::string& path) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"warning", "critical"}); !ok) return std::unexpected(ok.error());
    Levels l;
    for (const char* key : {"warning", "critical"}) {
      if (!node[key]) continue;
      auto v = yamlx::number(node[key], src_, yamlx::join(path, key));
      if (!v) return std::unexpected(v.error());
      if (!std::isfinite(*v)) return yamlx::error_at(src_, node[key], yamlx::join(path, key), "must be a finite number");
      (std::string_view(key) == "warning" ? l.warning : l.critical) = *v;
    }
    if (!l.warning && !l.critical) return yamlx::error_at(src_, node, path, "needs warning or critical (or both)");
    // A warning comes before a critical: for a fraction (under X fails) warning is the larger.
    const bool fraction = path.ends_with("peer_fraction");
    if (l.warning && l.critical && (fraction ? *l.warning < *l.critical : *l.warning > *l.critical))
      return yamlx::error_at(src_, node, path, fraction ? "warning must be >= critical (a fraction: under it fails)" : "warning must be <= critical");
    return l;
  }

  Result<void> non_negative(const Levels& l, const YAML::Node& node, const std::string& path) {
    if ((l.warning && *l.warning < 0) || (l.critical && *l.critical < 0)) return yamlx::error_at(src_, node, path, "levels must be >= 0");
    return {};
  }

  Result<Bounds> read_bounds(const YAML::Node& node, const std::string& path) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"min", "max"}); !ok) return std::unexpected(ok.error());
    Bounds b;
    for (const char* key : {"min", "max"}) {
      if (!node[key]) continue;
      auto v = yamlx::number(node[key], src_, yamlx::join(path, key));
      if (!v) return std::unexpected(v.error());
      (std::string_view(key) == "min" ? b.min : b.max) = *v;
    }
    if (!b.min && !b.max) return yamlx::error_at(src_, node, path, "needs min or max (or both)");
    if (b.min && b.max && *b.min > *b.max) return yamlx::error_at(src_, node, path, "min is above max");
    return b;
  }

  Result<void> read_threshold(const YAML::Node& node, Rule& r) {
    const auto path = where(r.name, "threshold");
    if (auto ok = yamlx::only_keys(node, src_, path, {"warning", "critical"}); !ok) return ok;
    r.form = RuleForm::threshold;
    if (node["warning"]) {
      auto b = read_bounds(node["warning"], path + ".warning");
      if (!b) return std::unexpected(b.error());
      r.warning_bounds = *b;
    }
    if (node["critical"]) {
      auto b = read_bounds(node["critical"], path + ".critical");
      if (!b) return std::unexpected(b.error());
      r.critical_bounds = *b;
    }
    if (!r.warning_bounds && !r.critical_bounds) return yamlx::error_at(src_, node, path, "needs warning or critical bounds (or both)");
    return {};
  }

  Result<void> read_baseline_form(const YAML::Node& node, Rule& r) {
    const auto path = where(r.name, "baseline");
    if (auto ok = yamlx::only_keys(node, src_, path, {"direction", "percent", "without_baseline"}); !ok) return ok;
    r.form = RuleForm::baseline;
    if (node["direction"]) {
      auto d = yamlx::string(node["direction"], src_, path + ".direction");
      if (!d) return std::unexpected(d.error());
      if (*d == "below") r.direction = Direction::below;
      else if (*d == "above") r.direction = Direction::above;
      else if (*d == "either") r.direction = Direction::either;
      else return yamlx::error_at(src_, node["direction"], path + ".direction", "expected below, above or either");
    }
    if (!node["percent"]) return yamlx::error_at(src_, node, path + ".percent", "missing (percent: {warning: 3, critical: 5})");
    auto pct = read_levels(node["percent"], path + ".percent");
    if (!pct) return std::unexpected(pct.error());
    if (auto ok = non_negative(*pct, node["percent"], path + ".percent"); !ok) return ok;
    r.percent = *pct;
    if (const auto wb = node["without_baseline"]) {
      const auto wpath = path + ".without_baseline";
      if (r.direction != Direction::below)
        return yamlx::error_at(src_, wb, wpath, "only for direction below (line rate and peers are floors)");
      if (auto ok = yamlx::only_keys(wb, src_, wpath, {"line_rate_percent", "peer_fraction", "min_peers"}); !ok) return ok;
      if (wb["line_rate_percent"]) {
        auto l = read_levels(wb["line_rate_percent"], wpath + ".line_rate_percent");
        if (!l) return std::unexpected(l.error());
        if (auto ok = non_negative(*l, wb["line_rate_percent"], wpath + ".line_rate_percent"); !ok) return ok;
        r.line_rate_percent = *l;
      }
      if (auto ok = read_peer_fields(wb, wpath, r); !ok) return ok;
    }
    return {};
  }

  Result<void> read_peer_fields(const YAML::Node& node, const std::string& path, Rule& r) {
    if (node["peer_fraction"]) {
      auto f = read_levels(node["peer_fraction"], path + ".peer_fraction");
      if (!f) return std::unexpected(f.error());
      for (auto v : {f->warning, f->critical})
        if (v && (*v <= 0 || *v >= 1)) return yamlx::error_at(src_, node["peer_fraction"], path + ".peer_fraction", "fractions are between 0 and 1 (0.5: half the peers' median)");
      r.peer_fraction = *f;
    }
    if (node["min_peers"]) {
      auto n = yamlx::integer(node["min_peers"], src_, path + ".min_peers");
      if (!n) return std::unexpected(n.error());
      if (*n < 1 || *n > 100000) return yamlx::error_at(src_, node["min_peers"], path + ".min_peers", "must be 1..100000");
      r.min_peers = static_cast<int>(*n);
    }
    return {};
  }

  Result<void> read_peers(const YAML::Node& node, const std::string& path, Rule& r) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"peer_fraction", "min_peers"}); !ok) return ok;
    r.form = RuleForm::peers;
    if (!node["peer_fraction"]) return yamlx::error_at(src_, node, path + ".peer_fraction", "missing (peer_fraction: {critical: 0.5})");
    return read_peer_fields(node, path, r);
  }

  Result<void> read_new_events(const YAML::Node& node, Rule& r) {
    const auto path = where(r.name, "new_events");
    if (auto ok = yamlx::only_keys(node, src_, path, {"more_than"}); !ok) return ok;
    r.form = RuleForm::new_events;
    if (!node["more_than"]) return yamlx::error_at(src_, node, path + ".more_than", "missing (more_than: {warning: 0})");
    auto l = read_levels(node["more_than"], path + ".more_than");
    if (!l) return std::unexpected(l.error());
    if (auto ok = non_negative(*l, node["more_than"], path + ".more_than"); !ok) return ok;
    r.more_than = *l;
    return {};
  }

  Source src_;
};

// --- Judging ---

std::string num(double v) { return fmt::format("{:.4g}", v); }

std::string with_unit(double v, const std::string& unit) { return unit.empty() ? num(v) : fmt::format("{} {}", num(v), unit); }

bool glob_matches(const std::string& glob, const std::string& text) { return fnmatch(glob.c_str(), text.c_str(), 0) == 0; }

bool matches(const Rule& r, const Observation& o) {
  if (!r.kinds.empty() && std::find(r.kinds.begin(), r.kinds.end(), o.kind) == r.kinds.end()) return false;
  if (!glob_matches(r.part_glob, o.part)) return false;
  return std::any_of(r.figure_globs.begin(), r.figure_globs.end(), [&](const auto& g) { return glob_matches(g, o.figure); });
}

// Severity of `amount` against levels where more is worse ("more than N", "X% below").
Severity exceeds(double amount, const Levels& l) {
  if (l.critical && amount > *l.critical) return Severity::critical;
  if (l.warning && amount > *l.warning) return Severity::warning;
  return Severity::ok;
}

Finding finding_for(const Rule& r, const Observation& o) {
  Finding f;
  f.kind = o.kind;
  f.part = o.part;
  f.figure = o.figure;
  f.rule = r.name;
  f.value = o.value;
  return f;
}

// For the peer-relative form (peer_medians.hpp): the observations this rule matches.
PeerMedians peer_medians_for(const Rule& r, const std::vector<Observation>& observations) {
  std::vector<Observation> matched;
  for (const auto& o : observations) {
    if (o.value && matches(r, o)) matched.push_back(o);
  }
  return PeerMedians(matched);
}

// The fraction form shared by the peers rule and the baseline rule's fallback. `prefix` says what
// was used when it is a fallback.
Finding judge_peers(const Rule& r, const Observation& o, const PeerMedians& peers, const std::string& prefix) {
  auto f = finding_for(r, o);
  const double v = *o.value;
  const auto p = peers.of(o.kind, o.figure, o.part);
  if (p.count < static_cast<std::size_t>(r.min_peers)) {
    // Not enough parts of its kind to compare with: said plainly, not passed as "fine".
    f.message = fmt::format("{}not judged: {} peer{} of its kind measured {}, {} needed", prefix, p.count, p.count == 1 ? "" : "s",
                            o.figure, r.min_peers);
    return f;
  }
  f.reference = p.median;
  const double ratio = p.median > 0 ? v / p.median : 1.0;
  const auto& pf = *r.peer_fraction;
  if (pf.critical && ratio < *pf.critical) f.severity = Severity::critical;
  else if (pf.warning && ratio < *pf.warning) f.severity = Severity::warning;
  const auto limit = f.severity == Severity::critical ? pf.critical
                     : f.severity == Severity::warning ? pf.warning
                                                       : (pf.warning ? pf.warning : pf.critical);
  f.message = fmt::format("{}{} {} {} x the median of {} peers ({})", prefix, with_unit(v, o.unit), f.severity == Severity::ok ? ">=" : "<",
                          num(limit.value_or(0)), p.count, with_unit(p.median, o.unit));
  return f;
}

// Change against a reference in percent, the worse direction counting.
Finding judge_percent(const Rule& r, const Observation& o, double reference, Direction direction, const Levels& levels,
                      const std::string& against) {
  auto f = finding_for(r, o);
  const double v = *o.value;
  f.reference = reference;
  double change_pct = 0;   // signed: + above the reference
  if (reference != 0) change_pct = (v - reference) / std::fabs(reference) * 100.0;
  else if (v != 0) change_pct = v > 0 ? INFINITY : -INFINITY;
  double bad = 0;          // how far in the bad direction, in percent
  if (direction == Direction::below) bad = -change_pct;
  else if (direction == Direction::above) bad = change_pct;
  else bad = std::fabs(change_pct);
  f.severity = exceeds(bad, levels);
  const auto level = f.severity == Severity::critical ? levels.critical : f.severity == Severity::warning ? levels.warning : std::nullopt;
  f.message = fmt::format("{} is {}% {} {} {}{}", with_unit(v, o.unit), std::isinf(change_pct) ? "inf" : num(std::fabs(change_pct)),
                          change_pct < 0 ? "below" : "above", against, with_unit(reference, o.unit),
                          level ? fmt::format(" ({} beyond {}%)", to_string(f.severity), num(*level)) : "");
  return f;
}

// A port's own rate, or for a circuit "a>b" / an electrical pair "a~b" the slower end's.
std::optional<double> line_rate_of(const LineRates& rates, const std::string& part) {
  if (auto it = rates.find(part); it != rates.end()) return it->second;
  const auto cut = part.find_first_of(">~");
  if (cut == std::string::npos) return std::nullopt;
  const auto a = rates.find(part.substr(0, cut));
  const auto b = rates.find(part.substr(cut + 1));
  if (a == rates.end() || b == rates.end()) return std::nullopt;
  return std::min(a->second, b->second);
}

bool is_bandwidth(const Observation& o) {
  return o.unit == "Gb/s" || (o.figure.size() >= 4 && o.figure.compare(o.figure.size() - 4, 4, "gbps") == 0);
}

Finding judge_baseline(const Rule& r, const Observation& o, const Baseline* baseline, const LineRates& line_rates, const PeerMedians& peers) {
  if (baseline != nullptr) {
    if (const auto* e = baseline->find(o.part, o.figure)) return judge_percent(r, o, e->median, r.direction, r.percent, "baseline");
  }
  const std::string why = baseline == nullptr ? "no baseline" : "not in the baseline";
  if (r.direction == Direction::below && r.line_rate_percent && is_bandwidth(o)) {
    if (auto rate = line_rate_of(line_rates, o.part)) {
      auto f = judge_percent(r, o, *rate, Direction::below, *r.line_rate_percent, "line rate");
      f.message = fmt::format("{}; against line rate: {}", why, f.message);
      return f;
    }
  }
  if (r.direction == Direction::below && r.peer_fraction) return judge_peers(r, o, peers, why + "; against peers: ");
  auto f = finding_for(r, o);
  f.message = fmt::format("{}; not judged: this rule has no line-rate or peer fallback for {}", why, o.figure);
  return f;
}

Finding judge_threshold(const Rule& r, const Observation& o) {
  auto f = finding_for(r, o);
  const double v = *o.value;
  auto breach = [&](const std::optional<Bounds>& b) -> std::optional<std::string> {
    if (!b) return std::nullopt;
    if (b->min && v < *b->min) {
      f.reference = *b->min;
      return fmt::format("{} < {}", with_unit(v, o.unit), num(*b->min));
    }
    if (b->max && v > *b->max) {
      f.reference = *b->max;
      return fmt::format("{} > {}", with_unit(v, o.unit), num(*b->max));
    }
    return std::nullopt;
  };
  if (auto m = breach(r.critical_bounds)) {
    f.severity = Severity::critical;
    f.message = *m + " (critical)";
  } else if (auto w = breach(r.warning_bounds)) {
    f.severity = Severity::warning;
    f.message = *w + " (warning)";
  } else {
    f.message = fmt::format("{} within limits", with_unit(v, o.unit));
  }
  return f;
}

Finding judge_new_events(const Rule& r, const Observation& o) {
  auto f = finding_for(r, o);
  const double v = *o.value;
  f.severity = exceeds(v, r.more_than);
  const auto level = f.severity == Severity::critical ? r.more_than.critical : f.severity == Severity::warning ? r.more_than.warning : std::nullopt;
  f.reference = level ? level : (r.more_than.warning ? r.more_than.warning : r.more_than.critical);
  f.message = level ? fmt::format("{} new {} (more than {}: {})", num(v), o.figure, num(*level), to_string(f.severity))
                    : fmt::format("{} new {}", num(v), o.figure);
  return f;
}

Finding judge_missing(const Rule& r, const Observation& o) {
  auto f = finding_for(r, o);
  f.severity = r.missing;
  f.message = fmt::format("no result for {}{}{}", o.figure, o.why_missing.empty() ? "" : ": " + o.why_missing,
                          o.source.empty() ? "" : fmt::format(" ({})", o.source));
  return f;
}

}  // namespace

Result<RuleSet> parse_rules(std::string_view yaml_text, const std::string& display_name) {
  Source src{display_name};
  auto root = yamlx::load(yaml_text, src);
  if (!root) return std::unexpected(root.error());
  return RulesReader(src).read(*root);
}

Result<RuleSet> read_rules(const std::string& path) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_rules(*text, path);
}

RuleSet default_rules() {
  // The shipped file, compiled in (rules_default_text.hpp is made from playbooks/health/rules.yaml
  // at configure time), so there is one copy of the defaults. A broken file fails the build's
  // tests, never a night: the unit test reads it.
  auto set = parse_rules(kDefaultRulesYaml, "built-in defaults (playbooks/health/rules.yaml)");
  if (!set) throw std::runtime_error("built-in rules: " + set.error().message);
  set->source = "built-in defaults";
  return std::move(*set);
}

bool same_rules(const RuleSet& a, const RuleSet& b) { return a.rules == b.rules; }

std::vector<std::string> rule_names(const RuleSet& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules.rules) out.push_back(r.name);
  return out;
}

std::vector<Finding> evaluate(const RuleSet& rules, const std::vector<Observation>& observations, const Baseline* baseline) {
  return evaluate(rules, observations, baseline, LineRates{});
}

std::vector<Finding> evaluate(const RuleSet& rules, const std::vector<Observation>& observations, const Baseline* baseline,
                              const LineRates& line_rates) {
  std::vector<Finding> out;
  // A retested path is judged on its latest figure, against peers taken from every path's first
  // (peer_medians.hpp): the same reference health.bandwidth judged it against when it was measured.
  const std::vector<Observation> judged = current_figures(observations);
  const std::vector<Observation> reference = first_figures(observations);
  for (const auto& r : rules.rules) {
    const PeerMedians peers = peer_medians_for(r, reference);
    for (const auto& o : judged) {
      if (!matches(r, o)) continue;
      if (!o.value || !std::isfinite(*o.value)) {
        out.push_back(judge_missing(r, o));
        continue;
      }
      switch (r.form) {
        case RuleForm::threshold: out.push_back(judge_threshold(r, o)); break;
        case RuleForm::baseline: out.push_back(judge_baseline(r, o, baseline, line_rates, peers)); break;
        case RuleForm::new_events: out.push_back(judge_new_events(r, o)); break;
        case RuleForm::peers: out.push_back(judge_peers(r, o, peers, "")); break;
      }
    }
  }
  return out;
}

LineRates line_rates_of(const Inventory& inventory) {
  LineRates out;
  for (const auto& h : inventory.hosts)
    for (const auto& p : h.ports)
      if (p.expect.speed_mbps && *p.expect.speed_mbps > 0) out[h.name + ":" + p.name] = static_cast<double>(*p.expect.speed_mbps) / 1000.0;
  return out;
}

}  // namespace mixnet::coord::health
