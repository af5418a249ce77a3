#include "coordinator/ocs/apply_plan.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace mixnet::coord {

namespace {

bool touches(const ocs::CrossConnect& c, const std::set<ocs::PortId>& ports) {
  return ports.contains(c.from) || ports.contains(c.to);
}

bool contains(const std::vector<ocs::CrossConnect>& list, const ocs::CrossConnect& c) {
  return std::any_of(list.begin(), list.end(), [&](const ocs::CrossConnect& x) { return same_connection(x, c); });
}

nlohmann::json list_json(const std::vector<ocs::CrossConnect>& list) {
  auto out = nlohmann::json::array();
  for (const auto& c : list) out.push_back(describe(c));
  return out;
}

}  // namespace

std::string_view to_string(ApplyMode mode) { return mode == ApplyMode::replace ? "replace" : "fewest-changes"; }

Result<ApplyMode> parse_apply_mode(std::string_view text) {
  if (text == "fewest-changes") return ApplyMode::fewest_changes;
  if (text == "replace") return ApplyMode::replace;
  return fail(Errc::invalid_argument, "must be fewest-changes or replace, got '" + std::string(text) + "'", "mode");
}

bool same_connection(const ocs::CrossConnect& a, const ocs::CrossConnect& b) {
  if (a.from == b.from && a.to == b.to) return true;
  // Either way round only when both sides say light flows both ways.
  return a.bidirectional && b.bidirectional && a.from == b.to && a.to == b.from;
}

ocs::ChangeSet ApplyPlan::disconnects() const {
  ocs::ChangeSet cs;
  for (const auto& c : remove) cs.disconnect.push_back(c.from);
  return cs;
}

ocs::ChangeSet ApplyPlan::connects() const {
  ocs::ChangeSet cs;
  cs.connect = make;
  return cs;
}

ocs::ChangeSet ApplyPlan::change_set() const {
  ocs::ChangeSet cs = disconnects();
  cs.connect = make;
  return cs;
}

ApplyPlan plan_apply(const std::vector<ocs::CrossConnect>& current, const std::vector<ocs::CrossConnect>& wanted,
                     const std::set<ocs::PortId>& ours, ApplyMode mode) {
  ApplyPlan plan;
  for (const auto& c : current) {
    if (!touches(c, ours)) {
      plan.foreign.push_back(c);
    } else if (mode == ApplyMode::fewest_changes && contains(wanted, c)) {
      plan.keep.push_back(c);
    } else {
      plan.remove.push_back(c);
    }
  }
  for (const auto& w : wanted) {
    if (mode == ApplyMode::fewest_changes && contains(plan.keep, w)) continue;
    plan.make.push_back(w);
  }
  return plan;
}

ApplyPlan plan_clear(const std::vector<ocs::CrossConnect>& current, const std::set<ocs::PortId>& ours, bool everything) {
  ApplyPlan plan;
  for (const auto& c : current) {
    if (everything || touches(c, ours)) plan.remove.push_back(c);
    else plan.foreign.push_back(c);
  }
  return plan;
}

std::string describe(const ocs::CrossConnect& c) { return c.from + (c.bidirectional ? "<->" : "->") + c.to; }

nlohmann::json plan_json(const ApplyPlan& plan) {
  return {{"keep", list_json(plan.keep)},
          {"remove", list_json(plan.remove)},
          {"make", list_json(plan.make)},
          {"foreign", list_json(plan.foreign)},
          {"changes", plan.changes()}};
}

}  // namespace mixnet::coord
