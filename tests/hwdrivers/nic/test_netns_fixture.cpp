// The namespace fixture itself: whatever a test does, no namespace may outlive it.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/netns.hpp"

using mixnet::testing::NetnsFixture;
using mixnet::testing::run_command;

namespace {

bool namespace_exists(const std::string& name) {
  const std::string listing = run_command("ip netns list");
  return listing.find(name + " ") != std::string::npos || listing.find(name + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("netns fixture: namespaces and veths exist while it lives and are gone after", "[netns][fixture]") {
  std::vector<std::string> names;
  {
    NetnsFixture lab;
    const auto a = lab.add_namespace();
    const auto b = lab.add_namespace();
    CHECK(a != b);
    CHECK(a.rfind("mxt-" + std::to_string(::getpid()) + "-", 0) == 0);
    lab.add_veth(a, "mxa0", b, "mxb0");
    CHECK(lab.ip_json(b, "link show dev mxb0").at(0).at("ifname") == "mxb0");
    // run_in really runs inside the namespace: the thread sees mxa0, the test thread does not.
    const auto seen = lab.run_in(a, [] { return run_command("ip -j link show"); });
    CHECK(seen.find("\"mxa0\"") != std::string::npos);
    CHECK(run_command("ip -j link show").find("\"mxa0\"") == std::string::npos);
    names = lab.namespaces();
    for (const auto& n : names) CHECK(namespace_exists(n));
  }
  REQUIRE(names.size() == 2);
  for (const auto& n : names) CHECK_FALSE(namespace_exists(n));
}

TEST_CASE("netns fixture: cleans up when the test throws, and rethrows from run_in", "[netns][fixture]") {
  std::string name;
  try {
    NetnsFixture lab;
    name = lab.add_namespace();
    lab.run_in(name, [] { throw std::runtime_error("failure inside the namespace"); });
    FAIL("run_in swallowed the exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "failure inside the namespace");
  }
  REQUIRE_FALSE(name.empty());
  CHECK_FALSE(namespace_exists(name));
}

TEST_CASE("netns fixture: removes what a crashed earlier run left behind", "[netns][fixture]") {
  // A pid that certainly belongs to no process: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const std::string stale = "mxt-" + std::to_string(child) + "-0";
  run_command("ip netns add " + stale);
  REQUIRE(namespace_exists(stale));
  {
    NetnsFixture lab;
    CHECK_FALSE(namespace_exists(stale));
  }
  if (namespace_exists(stale)) run_command("ip netns del " + stale);  // never leave it, even on failure
}
