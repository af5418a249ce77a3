#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <thread>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/result.hpp"

using namespace mixnet;

TEST_CASE("errors carry context and name the field", "[result]") {
  const Error e{Errc::invalid_argument, "must be 68..65535", "mtu"};
  CHECK(e.describe() == "invalid_argument: mtu: must be 68..65535");
  CHECK(e.context("configure eth1").message == "configure eth1: must be 68..65535");
  CHECK(e.context("configure eth1").field == "mtu");
}

TEST_CASE("a cause tells apart failures of one code and survives context", "[result]") {
  const auto plain = fail(Errc::io, "read failed");
  CHECK(plain.error().cause == Cause::unspecified);
  const auto lost = fail(Errc::io, Cause::netlink_overrun, "overrun", "socket");
  CHECK(lost.error().code == Errc::io);
  CHECK(lost.error().field == "socket");
  CHECK(lost.error().context("link watcher").cause == Cause::netlink_overrun);
  // The cause stays in-process: what other programs see is the code.
  CHECK(lost.error().describe() == "io: socket: overrun");
}

TEST_CASE("errno failures map to codes and keep strerror", "[result]") {
  auto r = fail_errno("open /nonexistent", ENOENT);
  CHECK(r.error().code == Errc::not_found);
  CHECK(r.error().message == "open /nonexistent: No such file or directory");
  CHECK(fail_errno("x", EEXIST).error().code == Errc::conflict);
  CHECK(fail_errno("x", EPERM).error().code == Errc::denied);
  CHECK(fail_errno("x", EIO).error().code == Errc::io);
}

TEST_CASE("clocks are in nanoseconds and formatted in UTC", "[clock]") {
  const auto a = realtime_ns();
  CHECK(a > 1'700'000'000'000'000'000LL);  // after 2023
  const auto m0 = monotonic_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(monotonic_ns() - m0 >= 2'000'000);  // nanoseconds: a 2 ms sleep is at least 2e6 of them
  CHECK(format_realtime_ns(1'000'000'000'123'456'789LL) == "2001-09-09T01:46:40.123456789Z");
}

TEST_CASE("log levels are checked", "[logging]") {
  CHECK(setup_logging("debug", "test").has_value());
  CHECK(setup_logging("off", "test").has_value());
  auto bad = setup_logging("loud", "test");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().field == "log-level");
  CHECK(setup_logging("warn", "test").has_value());
}
