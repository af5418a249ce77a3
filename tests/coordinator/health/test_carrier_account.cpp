// account_carrier_changes: a port's carrier changes over a window split into what the run's own
// re-patching explains (each reconfiguration window up to one down and one up, the previous run's
// closing ocs.clear one down) and what it does not (flaps), with the arithmetic said; a reset in
// the window counts only the windows of the new boot; an unread reconfiguration window leaves the
// flaps unknown, never guessed.
#include <catch2/catch.hpp>

#include "coordinator/health/carrier_account.hpp"

using namespace mixnet::coord::health;

namespace {

constexpr std::int64_t kS = 1'000'000'000LL;

CarrierWindow window(const std::string& port, CarrierWindowKind kind, const std::string& label, std::int64_t from_s, std::int64_t to_s,
                     std::optional<std::uint64_t> changes, const std::string& boot = "b1") {
  return CarrierWindow{.port = port, .kind = kind, .label = label, .boot_id = boot, .start_ns = from_s * kS, .end_ns = to_s * kS,
                       .changes = changes, .why = changes ? "" : "read after failed: timeout"};
}

constexpr auto kReconfig = CarrierWindowKind::reconfiguration;
constexpr auto kTest = CarrierWindowKind::test;

// A healthy night on h1:ocs0: cover-1 brings it up, cover-2 re-patches it, a retest round too.
std::vector<CarrierWindow> healthy_night() {
  return {window("h1:ocs0", kReconfig, "cover-1", 10, 11, 1), window("h1:ocs0", kTest, "cover-1 tests", 11, 13, 0),
          window("h1:ocs0", kReconfig, "cover-2", 14, 15, 2), window("h1:ocs0", kTest, "cover-2 tests", 15, 17, 0),
          window("h1:ocs0", kReconfig, "retest-1", 20, 21, 2),
          // another port's windows never count for this one
          window("h2:ocs0", kReconfig, "cover-1", 10, 11, 1)};
}

}  // namespace

TEST_CASE("carrier account: a healthy run's own re-patching explains every change", "[health][counters]") {
  const CarrierSpan since_mark{.from_ns = 5 * kS, .to_ns = 30 * kS, .boot_id = "b1", .ocs_port = true};
  const auto a = account_carrier_changes(5, "h1:ocs0", since_mark, healthy_night());
  CHECK(a.raw == 5);
  CHECK(a.explained == 5);
  REQUIRE(a.unexplained);
  CHECK(*a.unexplained == 0);
  CHECK(a.in_tests == 0);
  CHECK(a.explained_by == std::vector<std::string>{"cover-1 1", "cover-2 2", "retest-1 2"});
  CHECK(a.arithmetic == "5 raw - 5 explained (cover-1 1, cover-2 2, retest-1 2) = 0 unexplained");

  // Since the last run: the previous run's closing ocs.clear took the lit port down once more.
  CarrierSpan since_last = since_mark;
  since_last.from_ns = -86400 * kS;
  since_last.after_previous_run = true;
  const auto b = account_carrier_changes(6, "h1:ocs0", since_last, healthy_night());
  CHECK(b.explained == 6);
  CHECK(*b.unexplained == 0);
  CHECK(b.explained_by.front() == "previous run's ocs.clear 1");
  // An electrical port is never re-patched: the clear explains nothing there.
  since_last.ocs_port = false;
  CHECK(*account_carrier_changes(1, "h1:eps0", since_last, healthy_night()).unexplained == 1);
}

TEST_CASE("carrier account: changes during a test, or beyond a down and an up per re-patch, are flaps", "[health][counters]") {
  const CarrierSpan span{.from_ns = 5 * kS, .to_ns = 30 * kS, .boot_id = "b1", .ocs_port = true};
  // `mixnet-lab fault flap` (3 flaps = 6 changes): 4 during cover-1's tests, 2 while cover-1 verified.
  auto windows = healthy_night();
  windows[0].changes = 3;   // up, then down and up again before the links verified
  windows[1].changes = 4;
  const auto a = account_carrier_changes(11, "h1:ocs0", span, windows);
  CHECK(a.explained == 6);   // cover-1 2 (not 3), cover-2 2, retest-1 2
  CHECK(*a.unexplained == 5);
  CHECK(a.in_tests == 4);
  CHECK(a.arithmetic == "11 raw - 6 explained (cover-1 2, cover-2 2, retest-1 2) = 5 unexplained (4 during tests: cover-1 tests)");

  // A window before the span (an earlier mark) or after it is not part of this delta.
  const CarrierSpan late{.from_ns = 14 * kS, .to_ns = 18 * kS, .boot_id = "b1", .ocs_port = true};
  const auto b = account_carrier_changes(3, "h1:ocs0", late, healthy_night());
  CHECK(b.explained_by == std::vector<std::string>{"cover-2 2"});
  CHECK(*b.unexplained == 1);
}

TEST_CASE("carrier account: after a reset only the new boot's windows explain, never below zero", "[health][counters]") {
  // The host rebooted between cover-1 and cover-2: the delta counts from the reboot (3: the boot's
  // own carrier up, then cover-2's down and up); cover-1's window belongs to the old boot.
  auto windows = healthy_night();
  windows.resize(4);
  for (std::size_t i = 2; i < windows.size(); ++i) windows[i].boot_id = "b2";
  const CarrierSpan span{.from_ns = 5 * kS, .to_ns = 30 * kS, .boot_id = "b2", .from_reset = true, .ocs_port = true};
  const auto a = account_carrier_changes(3, "h1:ocs0", span, windows);
  CHECK(a.explained_by == std::vector<std::string>{"cover-2 2"});
  CHECK(*a.unexplained == 1);
  CHECK_THAT(a.arithmetic, Catch::EndsWith(", counted from a reset"));

  // A counter that went backwards (same boot) mid-run: more windows than the count holds.
  const CarrierSpan wrapped{.from_ns = 5 * kS, .to_ns = 30 * kS, .boot_id = "b1", .from_reset = true, .ocs_port = true};
  const auto b = account_carrier_changes(1, "h1:ocs0", wrapped, healthy_night());
  CHECK(b.explained == 1);
  CHECK(*b.unexplained == 0);
  CHECK(b.arithmetic == "1 raw - 1 explained (cover-1 1) = 0 unexplained, counted from a reset");
}

TEST_CASE("carrier account: an unread reconfiguration window leaves the flaps unknown", "[health][counters]") {
  auto windows = healthy_night();
  windows[2].changes = std::nullopt;   // cover-2's counters after the verify could not be read
  windows[2].why = "read after failed: h1: timeout";
  const CarrierSpan span{.from_ns = 5 * kS, .to_ns = 30 * kS, .boot_id = "b1", .ocs_port = true};
  const auto a = account_carrier_changes(5, "h1:ocs0", span, windows);
  CHECK_FALSE(a.unexplained);
  CHECK(a.explained == 3);
  CHECK_THAT(a.why_unknown, Catch::Contains("cover-2 (read after failed: h1: timeout)"));
  CHECK_THAT(a.arithmetic, Catch::Contains("= unknown"));
  // An unread test window costs only the evidence, not the figure.
  windows = healthy_night();
  windows[1].changes = std::nullopt;
  CHECK(*account_carrier_changes(5, "h1:ocs0", span, windows).unexplained == 0);
}

TEST_CASE("carrier account: nothing explained without windows", "[health][counters]") {
  const CarrierSpan span{.from_ns = 0, .to_ns = 10 * kS, .boot_id = "b1", .ocs_port = true};
  const auto a = account_carrier_changes(4, "h1:ocs0", span, {});
  CHECK(a.explained == 0);
  CHECK(*a.unexplained == 4);
  CHECK(a.arithmetic == "4 raw - 0 explained = 4 unexplained");
  CHECK(std::string(to_string(CarrierWindowKind::test)) == "test");
}
