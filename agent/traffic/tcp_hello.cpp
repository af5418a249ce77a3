#include "agent/traffic/tcp_hello.hpp"

#include <algorithm>
#include <string>

#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

namespace {

void put(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

std::uint64_t get(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

// Layout (big-endian): magic u32, version u16, flags u16 (bit 0: timeline), session u64,
// stream u32, streams u32, secret 16 bytes, reserved u64.
std::array<std::uint8_t, kHelloSize> encode_hello(const StreamHello& hello) {
  std::array<std::uint8_t, kHelloSize> out{};
  put(out.data(), kHelloMagic, 4);
  put(out.data() + 4, kHelloVersion, 2);
  put(out.data() + 6, hello.timeline ? 1 : 0, 2);
  put(out.data() + 8, hello.session, 8);
  put(out.data() + 16, hello.stream, 4);
  put(out.data() + 20, hello.streams, 4);
  std::copy(hello.secret.bytes.begin(), hello.secret.bytes.end(), out.begin() + 24);
  return out;
}

Result<StreamHello> decode_hello(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kHelloSize) {
    return fail(Errc::protocol, "stream hello must be " + std::to_string(kHelloSize) + " bytes");
  }
  if (get(bytes.data(), 4) != kHelloMagic) return fail(Errc::protocol, "not a mixnet traffic client (bad magic)");
  if (get(bytes.data() + 4, 2) != kHelloVersion) return fail(Errc::protocol, "unsupported traffic protocol version");
  StreamHello h;
  h.timeline = (get(bytes.data() + 6, 2) & 1) != 0;
  h.session = get(bytes.data() + 8, 8);
  h.stream = static_cast<std::uint32_t>(get(bytes.data() + 16, 4));
  h.streams = static_cast<std::uint32_t>(get(bytes.data() + 20, 4));
  std::copy_n(bytes.begin() + 24, h.secret.bytes.size(), h.secret.bytes.begin());
  if (h.streams == 0 || h.streams > wire::kMaxTrafficStreams) return fail(Errc::protocol, "stream count out of range");
  if (h.stream >= h.streams) return fail(Errc::protocol, "stream index out of range");
  return h;
}

std::array<std::uint8_t, kReceiptSize> encode_receipt(std::uint64_t bytes) {
  std::array<std::uint8_t, kReceiptSize> out{};
  put(out.data(), bytes, 8);
  return out;
}

std::uint64_t decode_receipt(std::span<const std::uint8_t, kReceiptSize> bytes) { return get(bytes.data(), 8); }

}  // namespace mixnet::agent::traffic
