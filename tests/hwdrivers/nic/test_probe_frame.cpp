#include <catch2/catch.hpp>

#include "hwdrivers/nic/probe_frame.hpp"

using namespace mixnet;
using namespace mixnet::nic;

namespace {

ProbeFrame sample(std::string host = "node-a", std::string port = "eth1") {
  ProbeFrame f;
  f.source = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  f.host_id = std::move(host);
  f.port = std::move(port);
  f.nonce = 0x0102030405060708ULL;
  f.send_time_ns = 1'764'400'000'123'456'789LL;
  return f;
}

std::vector<std::uint8_t> encoded(const ProbeFrame& f) {
  auto bytes = encode_probe(f);
  REQUIRE(bytes.has_value());
  return *bytes;
}

// Offsets of the fixed fields after the Ethernet header.
constexpr std::size_t kHostLenAt = 14 + 4 + 1;

}  // namespace

TEST_CASE("probe frame: round trip keeps every field", "[probe]") {
  const ProbeFrame f = sample();
  const auto bytes = encoded(f);
  auto back = decode_probe(bytes);
  REQUIRE(back.has_value());
  CHECK(back->destination == MacAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  CHECK(back->source == f.source);
  CHECK(back->host_id == "node-a");
  CHECK(back->port == "eth1");
  CHECK(back->nonce == f.nonce);
  CHECK(back->send_time_ns == f.send_time_ns);
  CHECK_FALSE(back->hello);
  ProbeFrame hello = sample();
  hello.hello = true;
  auto hello_back = decode_probe(encoded(hello));
  REQUIRE(hello_back.has_value());
  CHECK(hello_back->hello);
}

TEST_CASE("probe frame: layout is Ethernet + MXPR v2 + names + be64 nonce and time + flags", "[probe]") {
  ProbeFrame f = sample("h", "p");
  f.hello = true;
  const auto bytes = encoded(f);
  REQUIRE(bytes.size() == 60);  // 14 + 4 + 1 + 1+1 + 1+1 + 16 + 1 = 40, padded to the minimum
  CHECK(bytes[12] == 0x88);
  CHECK(bytes[13] == 0xB5);
  CHECK(std::string(bytes.begin() + 14, bytes.begin() + 18) == "MXPR");
  CHECK(bytes[18] == 2);
  CHECK(bytes[19] == 1);
  CHECK(bytes[20] == 'h');
  CHECK(bytes[21] == 1);
  CHECK(bytes[22] == 'p');
  CHECK(bytes[23] == 0x01);  // nonce, big-endian
  CHECK(bytes[30] == 0x08);
  CHECK(bytes[39] == 0x01);  // flags: hello
  for (std::size_t i = 40; i < bytes.size(); ++i) CHECK(bytes[i] == 0);
}

TEST_CASE("probe frame: a version 1 frame (no flags byte) is still read, as no hello", "[probe]") {
  auto bytes = encoded(sample("h", "p"));
  bytes[18] = 1;
  bytes[39] = 0x01;   // padding to a version 1 reader, whatever it holds
  auto back = decode_probe(bytes);
  REQUIRE(back.has_value());
  CHECK(back->host_id == "h");
  CHECK_FALSE(back->hello);
}

TEST_CASE("probe frame: longest names are not padded and round trip", "[probe]") {
  ProbeFrame f = sample(std::string(kProbeMaxName, 'h'), std::string(kProbeMaxName, 'p'));
  f.nonce = ~0ULL;
  f.send_time_ns = -1;  // a sender with a broken clock still decodes to what it sent
  const auto bytes = encoded(f);
  CHECK(bytes.size() == 14 + 4 + 1 + 1 + 64 + 1 + 64 + 16 + 1);
  auto back = decode_probe(bytes);
  REQUIRE(back.has_value());
  CHECK(back->host_id == f.host_id);
  CHECK(back->port == f.port);
  CHECK(back->nonce == ~0ULL);
  CHECK(back->send_time_ns == -1);
}

TEST_CASE("probe frame: trailing padding from the wire is accepted", "[probe]") {
  auto bytes = encoded(sample(std::string(40, 'x'), std::string(40, 'y')));
  bytes.resize(bytes.size() + 20, 0xAA);
  CHECK(decode_probe(bytes).has_value());
}

TEST_CASE("probe frame: encode refuses empty, oversize and unsafe names, naming the field", "[probe]") {
  for (const auto& bad : {std::string(), std::string(kProbeMaxName + 1, 'a'), std::string("has space"),
                          std::string("nul\0byte", 8), std::string("\x80utf")}) {
    auto host = encode_probe(sample(bad, "eth1"));
    REQUIRE_FALSE(host.has_value());
    CHECK(host.error().code == Errc::invalid_argument);
    CHECK(host.error().field == "host_id");
    auto port = encode_probe(sample("node-a", bad));
    REQUIRE_FALSE(port.has_value());
    CHECK(port.error().field == "port");
  }
}

TEST_CASE("probe frame: every truncation of a valid frame is rejected", "[probe]") {
  const auto bytes = encoded(sample(std::string(30, 'h'), std::string(30, 'p')));  // > 60: no padding
  REQUIRE(decode_probe(bytes).has_value());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("length " << n);
    auto r = decode_probe(std::span(bytes.data(), n));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
  }
}

TEST_CASE("probe frame: malformed headers are rejected with the reason", "[probe]") {
  const auto good = encoded(sample());
  auto expect_error = [](std::vector<std::uint8_t> bytes, const std::string& words) {
    auto r = decode_probe(bytes);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
    CHECK_THAT(r.error().message, Catch::Contains(words));
  };
  SECTION("empty and short") {
    expect_error({}, "shorter than an Ethernet header");
    expect_error(std::vector<std::uint8_t>(good.begin(), good.begin() + 13), "shorter than an Ethernet header");
  }
  SECTION("wrong EtherType") {
    auto b = good;
    b[13] = 0xB6;
    expect_error(b, "EtherType");
  }
  SECTION("wrong magic") {
    auto b = good;
    b[17] = 'Q';
    expect_error(b, "magic");
  }
  SECTION("wrong version") {
    auto b = good;
    b[18] = 0;
    expect_error(b, "version 0");
    b[18] = 3;
    expect_error(b, "version 3");
  }
  SECTION("unknown flags") {
    auto b = encoded(sample("h", "p"));
    b[39] = 0x02;
    expect_error(b, "unknown flags 0x02");
  }
  SECTION("host length zero, oversize, past the end") {
    auto b = good;
    b[kHostLenAt] = 0;
    expect_error(b, "host id length 0");
    b[kHostLenAt] = 65;
    expect_error(b, "host id length 65");
    b[kHostLenAt] = 64;  // within the limit, but the 60-byte frame has no 64 bytes left
    expect_error(b, "runs past the end");
  }
  SECTION("port length zero, oversize, past the end") {
    auto b = good;
    const std::size_t port_len_at = kHostLenAt + 1 + 6;  // after "node-a"
    REQUIRE(b[port_len_at] == 4);
    b[port_len_at] = 0;
    expect_error(b, "port length 0");
    b[port_len_at] = 200;
    expect_error(b, "port length 200");
    b[port_len_at] = 60;
    expect_error(b, "runs past the end");
  }
  SECTION("unsafe bytes in a name") {
    auto b = good;
    b[kHostLenAt + 1] = ' ';
    expect_error(b, "outside 0x21..0x7e");
    b[kHostLenAt + 1] = 0xC3;
    expect_error(b, "outside 0x21..0x7e");
  }
  SECTION("no room for nonce and time, or for the flags") {
    auto b = encoded(sample(std::string(30, 'h'), std::string(30, 'p')));
    b.resize(b.size() - 1);
    expect_error(b, "flags");
    b.resize(b.size() - 1);
    expect_error(b, "nonce");
  }
}

TEST_CASE("probe frame: any single-byte corruption decodes or fails cleanly", "[probe]") {
  const auto good = encoded(sample());
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0x7f}, std::uint8_t{0xff}}) {
      auto b = good;
      b[i] = v;
      auto r = decode_probe(b);
      if (r) CHECK(r->host_id.size() <= kProbeMaxName);  // a corruption in padding or nonce may still decode
      else CHECK(r.error().code == Errc::protocol);
    }
  }
}

TEST_CASE("mac: format is lower case, parse accepts either case", "[probe][mac]") {
  const MacAddress mac{0x02, 0xAB, 0x00, 0xff, 0x10, 0x9c};
  CHECK(format_mac(mac) == "02:ab:00:ff:10:9c");
  auto lower = parse_mac("02:ab:00:ff:10:9c");
  REQUIRE(lower.has_value());
  CHECK(*lower == mac);
  auto upper = parse_mac("02:AB:00:FF:10:9C");
  REQUIRE(upper.has_value());
  CHECK(*upper == mac);
  CHECK(format_mac(*parse_mac("ff:ff:ff:ff:ff:ff")) == "ff:ff:ff:ff:ff:ff");
}

TEST_CASE("mac: malformed text is refused, naming the field", "[probe][mac]") {
  for (const std::string_view bad : {"", "02:ab:00:ff:10", "02:ab:00:ff:10:9c:00", "02-ab-00-ff-10-9c",
                                     "02:ab:00:ff:10:9g", "2:ab:00:ff:10:9c0", "02:ab:00:ff:10:9c ",
                                     "02ab:00:ff:10:9c:", "0x:ab:00:ff:10:9c"}) {
    INFO(bad);
    auto r = parse_mac(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "mac");
  }
}
