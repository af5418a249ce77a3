// The expression language of when/until/assert and {{ }} templates.
#include <catch2/catch.hpp>

#include "coordinator/playbook/expr.hpp"
#include "coordinator/playbook/template.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using nlohmann::json;

namespace {

const json kVars = {
    {"n", 3},
    {"x", 2.5},
    {"name", "ring"},
    {"flag", true},
    {"empty", json::array()},
    {"links", {{"ok", false}, {"items", json::array({{{"id", "h1:p0"}, {"status", "ok"}}, {{"id", "h2:p0"}, {"status", "dark"}}})}}},
    {"names", json::array({"a", "b"})},
    {"m", {{"k", 1}}},
};

json eval(const std::string& text) {
  auto e = Expression::parse(text);
  INFO(text);
  REQUIRE(e.has_value());
  auto v = e->evaluate(kVars);
  if (!v) FAIL(v.error().message);
  return *v;
}

std::string eval_error(const std::string& text) {
  auto e = Expression::parse(text);
  if (!e) return e.error().message;
  auto v = e->evaluate(kVars);
  INFO(text);
  REQUIRE_FALSE(v.has_value());
  return v.error().message;
}

}  // namespace

// Expressions evaluate to the JSON value they denote: literals, variable paths (indexes from either end), comparisons.
TEST_CASE("literals, paths and comparisons") {
  CHECK(eval("1") == 1);
  CHECK(eval("-2") == -2);
  CHECK(eval("2.5") == 2.5);
  CHECK(eval("\"text\"") == "text");
  CHECK(eval("null").is_null());
  CHECK(eval("[1, 'a']") == json::array({1, "a"}));
  CHECK(eval("n") == 3);
  CHECK(eval("links.items[1].status") == "dark");
  CHECK(eval("links.items[-1].id") == "h2:p0");
  CHECK(eval("links['ok']") == false);
  CHECK(eval("m.k == 1") == true);
  CHECK(eval("n == 3") == true);
  CHECK(eval("n != 3") == false);
  CHECK(eval("n < 4 and n <= 3 and n > 2 and n >= 3") == true);
  CHECK(eval("x > n") == false);
  CHECK(eval("3 == 3.0") == true);
  CHECK(eval("name == 'ring'") == true);
  CHECK(eval("'a' < 'b'") == true);
}

TEST_CASE("logic, membership, definedness and filters") {
  CHECK(eval("not flag") == false);
  CHECK(eval("flag and not links.ok") == true);
  CHECK(eval("links.ok or n == 3") == true);
  CHECK(eval("(n == 1 or n == 3) and flag") == true);
  CHECK(eval("'a' in names") == true);
  CHECK(eval("'c' not in names") == true);
  CHECK(eval("'in' in 'ring'") == true);
  CHECK(eval("'k' in m") == true);
  CHECK(eval("nothing is defined") == false);
  CHECK(eval("nothing is not defined") == true);
  CHECK(eval("links.items[5] is defined") == false);
  CHECK(eval("links.items | length") == 2);
  CHECK(eval("empty | length == 0") == true);
  CHECK(eval("name | upper") == "RING");
  CHECK(eval("'42' | int") == 42);
  CHECK(eval("x | int") == 2);
  CHECK(eval("n | string") == "3");
  CHECK(eval("empty | bool") == false);
  // Short-circuit: the right side is not evaluated, so its undefined name is no error.
  CHECK(eval("nothing is defined and nothing.x == 1") == false);
}

TEST_CASE("expression errors say what and where") {
  CHECK(eval_error("nothing == 1").find("'nothing' is not defined") != std::string::npos);
  CHECK(eval_error("links.items[0].nope").find("'links.items[0].nope' is not defined") != std::string::npos);
  CHECK(eval_error("n == (1").find("expected ')' at column 8") != std::string::npos);
  CHECK(eval_error("n ==").find("expected a value") != std::string::npos);
  CHECK(eval_error("n + 1").find("unexpected '+'") != std::string::npos);
  CHECK(eval_error("'a' < 1").find("cannot order") != std::string::npos);
  CHECK(eval_error("n | nope").find("unknown filter 'nope'") != std::string::npos);
  CHECK(eval_error("'x").find("unterminated string") != std::string::npos);
  CHECK(eval_error("1 in 2").find("'in' needs a list") != std::string::npos);
}

// What when/until/assert count as true: null, 0, "" and empty lists and maps are false, anything else true.
TEST_CASE("truthiness") {
  CHECK_FALSE(truthy(json()));
  CHECK_FALSE(truthy(0));
  CHECK_FALSE(truthy(""));
  CHECK_FALSE(truthy(json::array()));
  CHECK_FALSE(truthy(json::object()));
  CHECK(truthy(1));
  CHECK(truthy("x"));
  CHECK(truthy(json::array({0})));
}

TEST_CASE("templates keep the type of a lone expression and interpolate inside text") {
  auto whole = render(json("{{ names }}"), kVars);
  REQUIRE(whole.has_value());
  CHECK(*whole == json::array({"a", "b"}));
  auto text = render(json("topology {{ name }} has {{ n }} circuits"), kVars);
  REQUIRE(text.has_value());
  CHECK(*text == "topology ring has 3 circuits");
  auto nested = render(json({{"a", json::array({"{{ n }}", 7})}, {"b", "plain"}}), kVars);
  REQUIRE(nested.has_value());
  CHECK(*nested == json({{"a", json::array({3, 7})}, {"b", "plain"}}));
  auto bad = render(json({{"topology", "{{ missing }}"}}), kVars);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("topology") == 0);
  CHECK(bad.error().message.find("'missing' is not defined") != std::string::npos);
  CHECK_FALSE(check_templates(json("{{ n == }}")).has_value());
  CHECK_FALSE(check_templates(json("{{ n")).has_value());
  CHECK(check_templates(json({{"a", "{{ n }}"}})).has_value());
}
