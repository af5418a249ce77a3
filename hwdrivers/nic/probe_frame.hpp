#pragma once
// The identity probe: a raw Ethernet frame (EtherType 0x88B5, IEEE local experimental) that says
// "host H sent this from port P with nonce N at time T". Encoding and decoding are pure so they
// are unit-tested and fuzzed; the socket is in probe_socket.hpp.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::nic {

inline constexpr std::uint16_t kProbeEtherType = 0x88B5;
inline constexpr std::size_t kProbeMaxName = 64;     // host id and port name, bytes
using MacAddress = std::array<std::uint8_t, 6>;

struct ProbeFrame {
  // Broadcast by default: the far end's MAC is what we want to learn.
  MacAddress destination{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  MacAddress source{};        // all zero: ProbeSocket::send fills in the port's own MAC
  std::string host_id;        // 1..64 bytes of printable ASCII without spaces (0x21..0x7e)
  std::string port;           // 1..64 bytes, same alphabet
  std::uint64_t nonce = 0;
  std::int64_t send_time_ns = 0;  // sender's CLOCK_REALTIME
};

// Frame layout after the 14-byte Ethernet header: magic "MXPR", version (1), host id length,
// host id, port length, port, nonce (be64), send time (be64). Padded to the 60-byte minimum.
// The version and both lengths are one byte each. Decoding accepts trailing bytes (Ethernet padding)
// and rejects everything else that does not fit exactly; errors are Errc::protocol.
Result<std::vector<std::uint8_t>> encode_probe(const ProbeFrame& frame);
Result<ProbeFrame> decode_probe(std::span<const std::uint8_t> bytes);

std::string format_mac(const MacAddress& mac);
Result<MacAddress> parse_mac(std::string_view text);

}  // namespace mixnet::nic
