#include <catch2/catch.hpp>

#include "agent/port_filter.hpp"

using namespace mixnet::agent;

TEST_CASE("port filter: names and globs", "[agent][filter]") {
  PortFilter f({"eth1", "ens*f0", "veth[ab]", "mx?"});
  CHECK(f.manages("eth1"));
  CHECK_FALSE(f.manages("eth10"));
  CHECK_FALSE(f.manages("eth"));
  CHECK(f.manages("ens1f0"));
  CHECK(f.manages("ens12f0"));
  CHECK_FALSE(f.manages("ens1f1"));
  CHECK(f.manages("veta") == false);
  CHECK(f.manages("vetha"));
  CHECK(f.manages("vethb"));
  CHECK_FALSE(f.manages("vethc"));
  CHECK(f.manages("mx1"));
  CHECK_FALSE(f.manages("mx12"));
  CHECK_FALSE(f.manages(""));
  CHECK_FALSE(f.manages("lo"));

  PortFilter none;
  CHECK_FALSE(none.manages("eth1"));
  PortFilter all({"*"});
  CHECK(all.manages("lo"));
}

// --ports: a comma list with blanks trimmed; empty entries, bad names and over-long lists are refused naming `ports`.
TEST_CASE("port list parsing", "[agent][filter]") {
  CHECK(parse_port_list("eth1").value() == std::vector<std::string>{"eth1"});
  CHECK(parse_port_list(" eth1 ,\teth2 ").value() == std::vector<std::string>{"eth1", "eth2"});
  CHECK(parse_port_list("ens*,veth[0-3]").value() == std::vector<std::string>{"ens*", "veth[0-3]"});
  for (const char* bad : {"", ",", "eth1,", ",eth1", "eth1,,eth2", "a b", "a/b", "veth[0-3", "x\x01"}) {
    INFO(bad);
    auto r = parse_port_list(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().field == "ports");
  }
  CHECK_FALSE(parse_port_list(std::string(65, 'a')));
  CHECK(parse_port_list(std::string(64, 'a')).has_value());
  std::string many;
  for (int i = 0; i < 257; ++i) many += (i ? "," : "") + std::string("p") + std::to_string(i);
  CHECK_FALSE(parse_port_list(many));
}
