#pragma once
// The first bytes a TCP traffic client sends on each connection, so the server knows which run
// and which stream the connection carries (a reconnecting stream says the same session and index
// again). At a clean end the server answers with the bytes it received on that connection.
#include <array>
#include <cstdint>
#include <span>

#include "common/result.hpp"

namespace mixnet::agent::traffic {

inline constexpr std::uint32_t kHelloMagic = 0x4D585452;  // "MXTR"
inline constexpr std::uint16_t kHelloVersion = 1;
inline constexpr std::size_t kHelloSize = 32;
inline constexpr std::size_t kReceiptSize = 8;

struct StreamHello {
  std::uint64_t session = 0;   // random per client run
  std::uint32_t stream = 0;    // 0..streams-1
  std::uint32_t streams = 1;
  bool timeline = false;
};

std::array<std::uint8_t, kHelloSize> encode_hello(const StreamHello& hello);
// Refuses a wrong magic or version, a stream count of 0 or over the limit, an index out of range.
Result<StreamHello> decode_hello(std::span<const std::uint8_t> bytes);

std::array<std::uint8_t, kReceiptSize> encode_receipt(std::uint64_t bytes);
std::uint64_t decode_receipt(std::span<const std::uint8_t, kReceiptSize> bytes);

}  // namespace mixnet::agent::traffic
