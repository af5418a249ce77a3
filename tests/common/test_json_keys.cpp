// only_keys (common/json_keys.hpp): one strict-key rule for request bodies and module arguments.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/json_keys.hpp"

using namespace mixnet;
using nlohmann::json;

TEST_CASE("only_keys accepts known keys and names the first stranger", "[json_keys]") {
  CHECK(json_keys::only_keys(json::object(), {"a"}).has_value());
  CHECK(json_keys::only_keys(json{{"a", 1}, {"b", 2}}, {"a", "b", "c"}).has_value());

  auto r = json_keys::only_keys(json{{"a", 1}, {"zz", 2}}, {"a", "b"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_argument);
  CHECK(r.error().field == "zz");
  CHECK(r.error().message == "unknown field (accepted: a, b)");
}

TEST_CASE("only_keys names the key under its prefix, and an empty key visibly", "[json_keys]") {
  auto nested = json_keys::only_keys(json{{"x", 1}}, {"qpn", "psn"}, "rdma.qps[1]");
  REQUIRE_FALSE(nested);
  CHECK(nested.error().field == "rdma.qps[1].x");
  auto empty = json_keys::only_keys(json{{"", 1}}, {"a"});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().field == "\"\"");
}

TEST_CASE("only_keys says what a key is where it comes from", "[json_keys]") {
  auto r = json_keys::only_keys(json{{"mdoe", "x"}}, {"topology", "mode"}, {}, "argument");
  REQUIRE_FALSE(r);
  CHECK(r.error().describe() == "invalid_argument: mdoe: unknown argument (accepted: topology, mode)");
}
