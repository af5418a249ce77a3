// The run secret that admits a TCP traffic server's one client: made fresh, carried as hex in the
// API and as bytes in the hello, compared without an early exit.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "agent/traffic/run_secret.hpp"
#include "agent/traffic/tcp_hello.hpp"

using namespace mixnet;
using namespace mixnet::agent::traffic;

TEST_CASE("fresh run secrets are 128 random bits and differ each time", "[traffic][secret]") {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    auto s = fresh_run_secret();
    REQUIRE(s);
    const std::string hex = to_hex(*s);
    CHECK(hex.size() == 32);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(hex);
  }
  CHECK(seen.size() == 64);
}

TEST_CASE("a run secret survives hex and back, and malformed hex is refused naming the field, not quoting it",
          "[traffic][secret]") {
  auto s = fresh_run_secret();
  REQUIRE(s);
  auto back = run_secret_from_hex(to_hex(*s), "secret");
  REQUIRE(back);
  CHECK(same_secret(*back, *s));
  CHECK(to_hex(*back) == to_hex(*s));

  auto known = run_secret_from_hex("000102030405060708090a0b0c0d0eff", "secret");
  REQUIRE(known);
  CHECK(known->bytes[1] == 0x01);
  CHECK(known->bytes[10] == 0x0a);
  CHECK(known->bytes[15] == 0xff);

  using std::string_literals::operator""s;
  for (const std::string& bad : {""s, "00"s, "000102030405060708090a0b0c0d0e"s, "000102030405060708090a0b0c0d0eff00"s,
                                 "000102030405060708090A0B0C0D0EFF"s, "000102030405060708090a0b0c0d0egg"s,
                                 "000102030405060708090a0b0c0d0e\0f"s}) {
    auto r = run_secret_from_hex(bad, "secret");
    INFO("'" << bad << "'");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "secret");
    if (!bad.empty()) CHECK(r.error().message.find(bad) == std::string::npos);
  }
}

TEST_CASE("same_secret tells apart secrets that differ in any one bit of any byte", "[traffic][secret]") {
  auto a = fresh_run_secret();
  REQUIRE(a);
  CHECK(same_secret(*a, *a));
  for (std::size_t i = 0; i < kRunSecretBytes; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      RunSecret b = *a;
      b.bytes[i] = static_cast<std::uint8_t>(b.bytes[i] ^ (1u << bit));
      INFO("byte " << i << " bit " << bit);
      CHECK_FALSE(same_secret(*a, b));
      CHECK_FALSE(same_secret(b, *a));
    }
  }
}

TEST_CASE("the stream hello carries the secret byte for byte, and a hello without it reads as the zero secret",
          "[traffic][secret][tcp]") {
  auto secret = fresh_run_secret();
  REQUIRE(secret);
  const StreamHello with{.session = 42, .stream = 1, .streams = 2, .timeline = false, .secret = *secret};
  auto back = decode_hello(encode_hello(with));
  REQUIRE(back);
  CHECK(same_secret(back->secret, *secret));

  // A client that was not given the secret sends none: every secret byte 0, which no server's
  // fresh secret equals (but for a 2^-128 chance).
  auto lacking = decode_hello(encode_hello(StreamHello{.session = 42, .stream = 0, .streams = 1}));
  REQUIRE(lacking);
  CHECK(same_secret(lacking->secret, RunSecret{}));
  CHECK_FALSE(same_secret(lacking->secret, *secret));

  // One flipped bit anywhere in the secret's 16 bytes (offset 24) makes it another secret.
  auto wire_bytes = encode_hello(with);
  for (std::size_t i = 24; i < 24 + kRunSecretBytes; ++i) {
    auto flipped = wire_bytes;
    flipped[i] ^= 0x80;
    auto h = decode_hello(flipped);
    REQUIRE(h);
    CHECK_FALSE(same_secret(h->secret, *secret));
  }
}
