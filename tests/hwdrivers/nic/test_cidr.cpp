#include <catch2/catch.hpp>

#include "hwdrivers/nic/netlink_links.hpp"

using namespace mixnet;
using mixnet::nic::normalize_cidr;

TEST_CASE("normalize_cidr: valid addresses come back canonical", "[cidr]") {
  CHECK(normalize_cidr("198.18.0.1/24").value() == "198.18.0.1/24");
  CHECK(normalize_cidr("198.19.255.254/32").value() == "198.19.255.254/32");
  CHECK(normalize_cidr("198.18.0.1/0").value() == "198.18.0.1/0");
  CHECK(normalize_cidr("2001:0002:0000::0001/64").value() == "2001:2::1/64");
  CHECK(normalize_cidr("FE80::ABCD/64").value() == "fe80::abcd/64");
  CHECK(normalize_cidr("::ffff:198.18.0.1/128").value() == "::ffff:198.18.0.1/128");
}

TEST_CASE("normalize_cidr: malformed input names the field", "[cidr]") {
  for (const std::string_view bad : {
           "", "198.18.0.1", "198.18.0.1/", "/24", "198.18.0.1/33", "198.18.0.1/024", "198.18.0.1/+4",
           "198.18.0.1/-1", "198.18.0.1/24 ", " 198.18.0.1/24", "198.18.0.1/2a", "198.18.0.256/24",
           "198.18.0/24", "198.018.0.1/24", "2001:2::1/129", "2001:2::1/1000", "fe80::1%eth0/64",
           "2001:2::1::2/64", "host.example/24", "198.18.0.1/24/24", "0.0.0.0/0", "255.255.255.255/32",
           "224.0.0.1/4", "239.1.2.3/24", "::/0", "ff02::1/64"}) {
    INFO("input '" << bad << "'");
    auto r = normalize_cidr(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "address");
    CHECK_THAT(r.error().message, Catch::StartsWith("address: "));
  }
}

TEST_CASE("normalize_cidr: the caller's field name is used", "[cidr]") {
  auto r = normalize_cidr("nope", "ipv4");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "ipv4");
  CHECK_THAT(r.error().describe(), Catch::Contains("ipv4"));
}

TEST_CASE("normalize_cidr: long or hostile input is cut short in the message", "[cidr]") {
  const std::string huge(10'000, '1');
  auto r = normalize_cidr(huge);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.size() < 300);
  auto ctl = normalize_cidr(std::string("198.18.0.1\n/24\x1b[31m"));
  REQUIRE_FALSE(ctl.has_value());
  CHECK(ctl.error().message.find('\n') == std::string::npos);
  CHECK(ctl.error().message.find('\x1b') == std::string::npos);
}
