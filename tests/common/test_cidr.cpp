// The one CIDR rule (common/cidr.hpp) that the agent API, nic.configure and the netlink driver share.
#include <catch2/catch.hpp>

#include <string>

#include "common/cidr.hpp"

using namespace mixnet;

TEST_CASE("normalize_cidr: valid addresses come back canonical", "[cidr]") {
  CHECK(normalize_cidr("198.18.0.1/24").value() == "198.18.0.1/24");
  CHECK(normalize_cidr("198.19.255.254/32").value() == "198.19.255.254/32");
  CHECK(normalize_cidr("198.18.0.1/0").value() == "198.18.0.1/0");
  CHECK(normalize_cidr("FD00:0:0::1/64").value() == "fd00::1/64");
  CHECK(normalize_cidr("2001:0002:0000::0001/64").value() == "2001:2::1/64");
  CHECK(normalize_cidr("FE80::ABCD/64").value() == "fe80::abcd/64");
  CHECK(normalize_cidr("fe80::1/128").value() == "fe80::1/128");
  CHECK(normalize_cidr("::ffff:198.18.0.1/128").value() == "::ffff:198.18.0.1/128");
}

TEST_CASE("normalize_cidr: the prefix length is plain decimal without a leading zero", "[cidr]") {
  CHECK(normalize_cidr("198.18.0.1/0").has_value());   // a lone zero is a number, not a leading zero
  CHECK(normalize_cidr("fd00::1/100").has_value());
  for (const std::string_view bad : {"198.18.0.1/024", "198.18.0.1/00", "198.18.0.1/0024", "198.18.0.1/08",
                                     "fd00::1/064", "fd00::1/0128", "198.18.0.1/+8", "198.18.0.1/-1",
                                     "198.18.0.1/ 24", "198.18.0.1/2a", "198.18.0.1/0x18", "198.18.0.1/"}) {
    INFO("input '" << bad << "'");
    CHECK_FALSE(normalize_cidr(bad).has_value());
  }
}

TEST_CASE("normalize_cidr: malformed input names the field", "[cidr]") {
  for (const std::string_view bad : {
           "", "198.18.0.1", "198.18.0.1/", "/24", "198.18.0.1/33", "198.18.0.1/024", "198.18.0.1/+4",
           "198.18.0.1/-1", "198.18.0.1/24 ", " 198.18.0.1/24", "198.18.0.1/2a", "198.18.0.256/24",
           "198.18.0/24", "198.018.0.1/24", "2001:2::1/129", "2001:2::1/1000", "fe80::1%eth0/64",
           "2001:2::1::2/64", "fd00:::1/64", "host.example/24", "198.18.0.1/24/24", "0.0.0.0/0",
           "255.255.255.255/32", "224.0.0.1/4", "239.1.2.3/24", "::/0", "ff02::1/64"}) {
    INFO("input '" << bad << "'");
    auto r = normalize_cidr(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "address");
    CHECK_THAT(r.error().message, Catch::StartsWith("address: "));
  }
}

TEST_CASE("normalize_cidr: an embedded NUL does not hide the rest of the input", "[cidr]") {
  // inet_pton reads a C string: "198.18.0.1\0/24" must not pass as 198.18.0.1 with prefix 24.
  CHECK_FALSE(normalize_cidr(std::string_view("198.18.0.1\0/24", 14)).has_value());
  CHECK_FALSE(normalize_cidr(std::string_view("198.18.0.1/24\0", 14)).has_value());
}

TEST_CASE("normalize_cidr: the caller's field name is used", "[cidr]") {
  auto r = normalize_cidr("nope", "add_addresses[0]");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "add_addresses[0]");
  CHECK_THAT(r.error().describe(), Catch::Contains("add_addresses[0]"));
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
