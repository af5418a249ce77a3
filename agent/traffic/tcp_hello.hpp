#pragma once
// The first bytes a TCP traffic client sends on each connection, so the server knows which run
// and which stream the connection carries (a reconnecting stream says the same session and index
// again) and that the coordinator announced this client: the hello carries the server run's
// secret (run_secret.hpp), and the server drops a connection without it before counting a byte.
// At a clean end the server answers with the bytes it received on that connection.
#include <array>
#include <cstdint>
#include <span>

#include "agent/traffic/run_secret.hpp"
#include "common/result.hpp"

namespace mixnet::agent::traffic {

inline constexpr std::uint32_t kHelloMagic = 0x4D585452;  // "MXTR"
// Version 2 added the secret; a version-1 hello (no secret) is refused like any stranger's.
inline constexpr std::uint16_t kHelloVersion = 2;
inline constexpr std::size_t kHelloSize = 48;
inline constexpr std::size_t kReceiptSize = 8;

struct StreamHello {
  std::uint64_t session = 0;   // random per client run
  std::uint32_t stream = 0;    // 0..streams-1
  std::uint32_t streams = 1;
  bool timeline = false;
  RunSecret secret;            // the server run's, from the client run's request
};

std::array<std::uint8_t, kHelloSize> encode_hello(const StreamHello& hello);
// Refuses a wrong magic or version, a stream count of 0 or over the limit, an index out of range.
// Whether the secret is the server's is the server's check (same_secret): decoding only reads it.
Result<StreamHello> decode_hello(std::span<const std::uint8_t> bytes);

std::array<std::uint8_t, kReceiptSize> encode_receipt(std::uint64_t bytes);
std::uint64_t decode_receipt(std::span<const std::uint8_t, kReceiptSize> bytes);

}  // namespace mixnet::agent::traffic
