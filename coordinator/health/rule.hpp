#pragma once
// One health rule as written in a rules file (docs/health/rules.md). Private to the rules reader
// and evaluator; other parts see RuleSet and Finding only.
#include <optional>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// Levels of a form where more is worse: "more than N events", "X% below", or (peer_fraction)
// a ratio under which a part fails.
struct Levels {
  std::optional<double> warning;
  std::optional<double> critical;
  friend bool operator==(const Levels&, const Levels&) = default;
};

struct Bounds {
  std::optional<double> min;
  std::optional<double> max;
  friend bool operator==(const Bounds&, const Bounds&) = default;
};

enum class RuleForm { threshold, baseline, new_events, peers };
enum class Direction { below, above, either };   // which change against the baseline is bad

struct Rule {
  std::string name;
  std::string description;
  // match: the part kinds (empty: any), the figure globs (any of them) and the part glob (fnmatch).
  std::vector<PartKind> kinds;
  std::vector<std::string> figure_globs;
  std::string part_glob = "*";
  Severity missing = Severity::critical;   // an observation with no value, under this rule
  RuleForm form = RuleForm::threshold;
  // threshold
  std::optional<Bounds> warning_bounds;
  std::optional<Bounds> critical_bounds;
  // baseline: percent change in `direction`; without a baseline, line rate then peers (below only)
  Direction direction = Direction::below;
  Levels percent;
  std::optional<Levels> line_rate_percent;
  // peers (and the baseline form's last fallback): value under fraction x the peers' median
  std::optional<Levels> peer_fraction;
  int min_peers = 2;
  // new_events: a counter's delta over the window, more than N
  Levels more_than;
  friend bool operator==(const Rule&, const Rule&) = default;
};

}  // namespace mixnet::coord::health
