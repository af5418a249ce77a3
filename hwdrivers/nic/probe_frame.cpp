// The probe codec. Decoding reads frames from the wire, from any sender: every length is
// checked against what is left before it is used, and names are limited to an alphabet that is
// safe to put in JSON, logs and metrics labels unescaped.
#include "hwdrivers/nic/probe_frame.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mixnet::nic {

namespace {

constexpr std::array<std::uint8_t, 4> kMagic{'M', 'X', 'P', 'R'};
constexpr std::uint8_t kVersion = 2;
constexpr std::uint8_t kFirstVersion = 1;   // no flags byte
constexpr std::uint8_t kFlagHello = 0x01;
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kMinFrame = 60;  // 64 on the wire less the FCS, which the NIC adds

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kProbeMaxName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u >= 0x21 && u <= 0x7e;
         });
}

void put_be(std::vector<std::uint8_t>& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// A bounds-checked reader: every take fails instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  [[nodiscard]] std::size_t left() const { return bytes_.size() - pos_; }
  bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (n > left()) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool take_be(std::size_t n, std::uint64_t& out) {
    std::span<const std::uint8_t> s;
    if (!take(n, s)) return false;
    out = 0;
    for (const auto b : s) out = (out << 8) | b;
    return true;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::unexpected<Error> malformed(std::string_view why) {
  return fail(Errc::protocol, fmt::format("probe frame: {}", why));
}

// A length-prefixed name: the length byte, then that many bytes, then the alphabet check.
Result<std::string> take_name(Reader& r, std::string_view what) {
  std::uint64_t len = 0;
  if (!r.take_be(1, len)) return malformed(fmt::format("ends before the {} length", what));
  if (len == 0 || len > kProbeMaxName) return malformed(fmt::format("{} length {} is not 1..{}", what, len, kProbeMaxName));
  std::span<const std::uint8_t> bytes;
  if (!r.take(len, bytes)) return malformed(fmt::format("{} length {} runs past the end", what, len));
  std::string name(bytes.begin(), bytes.end());
  if (!valid_name(name)) return malformed(fmt::format("{} has bytes outside 0x21..0x7e", what));
  return name;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_probe(const ProbeFrame& frame) {
  if (!valid_name(frame.host_id)) {
    return fail(Errc::invalid_argument,
                fmt::format("host_id: must be 1..{} printable ASCII bytes without spaces", kProbeMaxName), "host_id");
  }
  if (!valid_name(frame.port)) {
    return fail(Errc::invalid_argument,
                fmt::format("port: must be 1..{} printable ASCII bytes without spaces", kProbeMaxName), "port");
  }
  std::vector<std::uint8_t> out;
  out.reserve(kEthernetHeader + 4 + 1 + 1 + frame.host_id.size() + 1 + frame.port.size() + 16);
  out.insert(out.end(), frame.destination.begin(), frame.destination.end());
  out.insert(out.end(), frame.source.begin(), frame.source.end());
  put_be(out, kProbeEtherType, 2);
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(frame.host_id.size()));
  out.insert(out.end(), frame.host_id.begin(), frame.host_id.end());
  out.push_back(static_cast<std::uint8_t>(frame.port.size()));
  out.insert(out.end(), frame.port.begin(), frame.port.end());
  put_be(out, frame.nonce, 8);
  put_be(out, static_cast<std::uint64_t>(frame.send_time_ns), 8);
  out.push_back(frame.hello ? kFlagHello : 0);
  if (out.size() < kMinFrame) out.resize(kMinFrame, 0);
  return out;
}

Result<ProbeFrame> decode_probe(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  ProbeFrame frame;
  std::span<const std::uint8_t> s;
  if (!r.take(kEthernetHeader, s)) return malformed(fmt::format("{} bytes is shorter than an Ethernet header", bytes.size()));
  std::copy(s.begin(), s.begin() + 6, frame.destination.begin());
  std::copy(s.begin() + 6, s.begin() + 12, frame.source.begin());
  const unsigned ethertype = (static_cast<unsigned>(s[12]) << 8) | s[13];
  if (ethertype != kProbeEtherType) return malformed(fmt::format("EtherType 0x{:04x} is not 0x{:04x}", ethertype, kProbeEtherType));
  if (!r.take(kMagic.size(), s) || !std::equal(s.begin(), s.end(), kMagic.begin())) return malformed("no MXPR magic");
  std::uint64_t version = 0;
  if (!r.take_be(1, version)) return malformed("ends before the version");
  if (version != kVersion && version != kFirstVersion) {
    return malformed(fmt::format("version {} is not {} or {}", version, kFirstVersion, kVersion));
  }
  auto host = take_name(r, "host id");
  if (!host) return std::unexpected(host.error());
  auto port = take_name(r, "port");
  if (!port) return std::unexpected(port.error());
  std::uint64_t nonce = 0;
  std::uint64_t send_time = 0;
  if (!r.take_be(8, nonce) || !r.take_be(8, send_time)) return malformed("ends before the nonce and send time");
  std::uint64_t flags = 0;
  if (version == kVersion) {
    if (!r.take_be(1, flags)) return malformed("ends before the flags");
    if ((flags & ~std::uint64_t{kFlagHello}) != 0) return malformed(fmt::format("unknown flags 0x{:02x}", flags));
  }
  frame.hello = (flags & kFlagHello) != 0;
  frame.host_id = std::move(*host);
  frame.port = std::move(*port);
  frame.nonce = nonce;
  frame.send_time_ns = static_cast<std::int64_t>(send_time);
  return frame;
}

std::string format_mac(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

Result<MacAddress> parse_mac(std::string_view text) {
  const auto bad = [&] {
    std::string shown;
    for (const char c : text.substr(0, 32)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return fail(Errc::invalid_argument, fmt::format("mac: '{}' is not six hex pairs like 02:00:00:00:00:01", shown),
                "mac");
  };
  if (text.size() != 17) return bad();
  MacAddress mac{};
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':') return bad();
    unsigned value = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = text[i * 3 + j];
      unsigned digit = 0;
      if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
      else return bad();
      value = value * 16 + digit;
    }
    mac[i] = static_cast<std::uint8_t>(value);
  }
  return mac;
}

}  // namespace mixnet::nic
