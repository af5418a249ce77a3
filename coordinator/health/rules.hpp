#pragma once
// Health rules (docs/health.md, "Rules"): a small YAML vocabulary that judges observations —
// value thresholds, change against a baseline in percent, a part far below its peers of the same
// kind in the same run, and "missing result = failure". Shipped defaults
// (playbooks/health/rules.yaml) apply when no file is given.
#include <string>
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
// non-ok ones). `baseline` may be null: rules that need one then fall back to their line-rate or
// peer-relative form, never pass silently.
std::vector<Finding> evaluate(const RuleSet& rules, const std::vector<Observation>& observations,
                              const Baseline* baseline);

}  // namespace mixnet::coord::health
