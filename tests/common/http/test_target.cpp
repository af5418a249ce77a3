#include <catch2/catch.hpp>

#include "common/http/target.hpp"

using namespace mixnet;
using namespace mixnet::http;

TEST_CASE("request targets are decoded", "[http][target]") {
  auto t = parse_target("/v1/ports/eth%301/config?after=12&wait_ms=500&name=a+b&flag");
  REQUIRE(t.has_value());
  CHECK(t->path == "/v1/ports/eth01/config");
  CHECK(t->query.at("after") == "12");
  CHECK(t->query.at("wait_ms") == "500");
  CHECK(t->query.at("name") == "a b");
  CHECK(t->query.at("flag").empty());
}

TEST_CASE("bad request targets are rejected with the field named", "[http][target]") {
  for (const char* bad : {"", "v1/x", "http://host/v1", "/v1/%zz", "/v1/%4", "/v1/%", "/v1/%00", "/v1/../etc",
                          "/v1?x=%g0"}) {
    INFO(bad);
    auto t = parse_target(bad);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().field == "target");
    CHECK(t.error().code == Errc::invalid_argument);
  }
}

TEST_CASE("route patterns match whole segments", "[http][target]") {
  std::map<std::string, std::string> p;
  CHECK(match_pattern("/v1/ports/{name}/config", "/v1/ports/eth1/config", p));
  CHECK(p.at("name") == "eth1");
  CHECK_FALSE(match_pattern("/v1/ports/{name}/config", "/v1/ports//config", p));
  CHECK_FALSE(match_pattern("/v1/ports/{name}", "/v1/ports/eth1/config", p));
  CHECK_FALSE(match_pattern("/v1/ports", "/v1/portsx", p));
  CHECK_FALSE(match_pattern("/v1/ports", "/v1/ports/", p));
  CHECK(match_pattern("/", "/", p));
  CHECK(match_pattern("/v1/inventory", "/v1/inventory", p));
}

TEST_CASE("query integers are bounded and named", "[http][target]") {
  auto t = parse_target("/x?after=5&wait_ms=99999999&bad=-1&junk=12x");
  REQUIRE(t);
  CHECK(query_uint(*t, "after", 0, 100).value() == 5);
  CHECK(query_uint(*t, "missing", 7, 100).value() == 7);
  auto big = query_uint(*t, "wait_ms", 0, 30000);
  REQUIRE_FALSE(big);
  CHECK(big.error().field == "wait_ms");
  CHECK_FALSE(query_uint(*t, "bad", 0, 100));
  CHECK_FALSE(query_uint(*t, "junk", 0, 100));
}
