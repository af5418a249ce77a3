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
// Where an agent's own hellos go: the IEEE 802.1AB nearest-bridge group (LLDP's), which no bridge
// forwards. A hello reaches the NIC at the other end of a cable or optical circuit, never every
// host behind an electrical switch.
inline constexpr MacAddress kNearestBridgeGroup{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};

struct ProbeFrame {
  // Broadcast by default: the far end's MAC is what we want to learn.
  MacAddress destination{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  MacAddress source{};        // all zero: ProbeSocket::send fills in the port's own MAC
  std::string host_id;        // 1..64 bytes of printable ASCII without spaces (0x21..0x7e)
  std::string port;           // 1..64 bytes, same alphabet
  std::uint64_t nonce = 0;
  std::int64_t send_time_ns = 0;  // sender's CLOCK_REALTIME
  // Sent by an agent on its own as the port's carrier came up: "answer me", so the far end, which
  // may have come up first and sent its own hello into the dark, is heard too.
  bool hello = false;
};

// Frame layout after the 14-byte Ethernet header: magic "MXPR", version (2), host id length,
// host id, port length, port, nonce (be64), send time (be64), flags (1 byte: bit 0 hello, the
// others 0). Padded to the 60-byte minimum. Version 1 (no flags byte) is still read, as flags 0.
// The version, both lengths and the flags are one byte each. Decoding accepts trailing bytes
// (Ethernet padding) and rejects everything else that does not fit exactly; errors are
// Errc::protocol.
Result<std::vector<std::uint8_t>> encode_probe(const ProbeFrame& frame);
Result<ProbeFrame> decode_probe(std::span<const std::uint8_t> bytes);

std::string format_mac(const MacAddress& mac);
Result<MacAddress> parse_mac(std::string_view text);

}  // namespace mixnet::nic
