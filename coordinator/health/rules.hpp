#pragma once
// Health rules (docs/health.md, "Rules"): a small YAML vocabulary that judges observations —
// value thresholds, change against a baseline in percent, a part far below its peers of the same
// kind in the same run, and "missing result = failure". Shipped defaults
// (playbooks/health/rules.yaml) apply when no file is given.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

struct Rule;       // rules.cpp: one rule as written
struct Baseline;   // baseline.hpp: per part and figure, the median and spread of passing runs

struct RuleSet {
  std::vector<Rule> rules;   // evaluated in order; every rule that matches an observation judges it
  std::string source;        // the file, or "built-in defaults"
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
};

// Errors name the file, the rule and the field: "rules.yaml: rule 'bw-drop': unknown field 'precent'".
Result<RuleSet> read_rules(const std::string& path);
RuleSet default_rules();

// Every finding of every rule on every observation (ok findings included; callers keep the
// non-ok ones), but a path's bandwidth figure that a retest of the same path superseded: a path is
// judged on its latest figure, and the peer-relative forms take each path's first figure as the
// reference (peer_medians.hpp). `observations` in ledger order. `baseline` may be null: rules that
// need one then fall back to their line-rate or peer-relative form, never pass silently.
std::vector<Finding> evaluate(const RuleSet& rules, const std::vector<Observation>& observations,
                              const Baseline* baseline);

// --- Additions (rules helper) ---

// The same rules from text (tests, rules that are not files); errors name `display_name`.
Result<RuleSet> parse_rules(std::string_view yaml_text, const std::string& display_name);

// Two rule sets say the same thing (every rule, field by field, in order); the source is ignored.
[[nodiscard]] bool same_rules(const RuleSet& a, const RuleSet& b);
[[nodiscard]] std::vector<std::string> rule_names(const RuleSet& rules);

// Line rate in Gb/s per part ("h1:ocs0", and a circuit or eps_pair named from two such ports),
// from the inventory's expected speeds: what baseline rules fall back to on the first night.
using LineRates = std::map<std::string, double>;

// As above, with line rates for the fallback: a part whose line rate is not known here (the lab's
// veths report none) falls back to the peer-relative form.
std::vector<Finding> evaluate(const RuleSet& rules, const std::vector<Observation>& observations,
                              const Baseline* baseline, const LineRates& line_rates);

}  // namespace mixnet::coord::health

namespace mixnet::coord {
struct Inventory;
}

namespace mixnet::coord::health {

// Every NIC port with an expected speed, as "host:port" -> Gb/s.
[[nodiscard]] LineRates line_rates_of(const Inventory& inventory);

}  // namespace mixnet::coord::health
