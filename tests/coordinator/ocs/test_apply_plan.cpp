// The ocs.apply / ocs.clear planner: fewest changes versus replace, foreign connections, and
// bidirectional connections matching either way round.
#include <catch2/catch.hpp>

#include "coordinator/ocs/apply_plan.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using ocs::CrossConnect;

namespace {

CrossConnect cc(const std::string& from, const std::string& to, bool bidi = false) { return {from, to, bidi}; }

}  // namespace

TEST_CASE("fewest changes keeps what is right, breaks what is wrong, makes what is missing", "[unit][ocs]") {
  // Ours: 1..4 (inputs) and 17..20 (outputs). 9->25 belongs to someone else.
  const std::set<ocs::PortId> ours{"1", "2", "3", "4", "17", "18", "19", "20"};
  const std::vector<CrossConnect> current{cc("1", "18"), cc("2", "17"), cc("3", "20"), cc("9", "25")};
  const std::vector<CrossConnect> wanted{cc("1", "18"), cc("2", "17"), cc("3", "19"), cc("4", "20")};

  const ApplyPlan plan = plan_apply(current, wanted, ours, ApplyMode::fewest_changes);
  CHECK(plan.keep == std::vector<CrossConnect>{cc("1", "18"), cc("2", "17")});
  CHECK(plan.remove == std::vector<CrossConnect>{cc("3", "20")});
  CHECK(plan.make == std::vector<CrossConnect>{cc("3", "19"), cc("4", "20")});
  CHECK(plan.foreign == std::vector<CrossConnect>{cc("9", "25")});
  CHECK(plan.changes() == 3);

  const auto cs = plan.change_set();
  CHECK(cs.disconnect == std::vector<ocs::PortId>{"3"});
  CHECK(cs.connect == plan.make);

  // Applying the same topology again: nothing to do.
  const std::vector<CrossConnect> after{cc("1", "18"), cc("2", "17"), cc("3", "19"), cc("4", "20"), cc("9", "25")};
  const ApplyPlan again = plan_apply(after, wanted, ours, ApplyMode::fewest_changes);
  CHECK(again.empty());
  CHECK(again.keep.size() == 4);
}

TEST_CASE("replace breaks every connection on our ports, then makes the whole topology", "[unit][ocs]") {
  const std::set<ocs::PortId> ours{"1", "2", "17", "18"};
  const std::vector<CrossConnect> current{cc("1", "18"), cc("2", "17"), cc("9", "25")};
  const std::vector<CrossConnect> wanted{cc("1", "18"), cc("2", "17")};
  const ApplyPlan plan = plan_apply(current, wanted, ours, ApplyMode::replace);
  CHECK(plan.keep.empty());
  CHECK(plan.remove == std::vector<CrossConnect>{cc("1", "18"), cc("2", "17")});
  CHECK(plan.make == wanted);
  CHECK(plan.foreign == std::vector<CrossConnect>{cc("9", "25")});
  CHECK(plan.disconnects().disconnect == std::vector<ocs::PortId>{"1", "2"});
  CHECK(plan.disconnects().connect.empty());
  CHECK(plan.connects().connect == wanted);
  CHECK(plan.connects().disconnect.empty());
}

TEST_CASE("a bidirectional connection matches either way round, a one-way one does not", "[unit][ocs]") {
  const std::set<ocs::PortId> ours{"1", "2", "3", "4"};
  const ApplyPlan bidi = plan_apply({cc("2", "1", true)}, {cc("1", "2", true)}, ours, ApplyMode::fewest_changes);
  CHECK(bidi.empty());
  CHECK(bidi.keep.size() == 1);
  CHECK(same_connection(cc("1", "2", true), cc("2", "1", true)));
  CHECK_FALSE(same_connection(cc("1", "2"), cc("2", "1")));
  const ApplyPlan oneway = plan_apply({cc("2", "1")}, {cc("1", "2")}, ours, ApplyMode::fewest_changes);
  CHECK(oneway.remove.size() == 1);
  CHECK(oneway.make.size() == 1);
}

TEST_CASE("clear breaks our connections, or everything when asked", "[unit][ocs]") {
  const std::set<ocs::PortId> ours{"1", "17"};
  const std::vector<CrossConnect> current{cc("1", "17"), cc("9", "25")};
  const ApplyPlan mine = plan_clear(current, ours, false);
  CHECK(mine.remove == std::vector<CrossConnect>{cc("1", "17")});
  CHECK(mine.foreign == std::vector<CrossConnect>{cc("9", "25")});
  const ApplyPlan all = plan_clear(current, ours, true);
  CHECK(all.remove.size() == 2);
  CHECK(all.foreign.empty());
  CHECK(plan_clear({}, ours, true).empty());
}

TEST_CASE("apply modes parse by name and name the argument when wrong", "[unit][ocs]") {
  CHECK(parse_apply_mode("fewest-changes").value() == ApplyMode::fewest_changes);
  CHECK(parse_apply_mode("replace").value() == ApplyMode::replace);
  auto bad = parse_apply_mode("fewest");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "mode");
  CHECK(to_string(ApplyMode::replace) == "replace");
  CHECK(describe(cc("3", "19")) == "3->19");
  CHECK(describe(cc("3", "4", true)) == "3<->4");
}
