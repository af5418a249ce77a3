#include "common/cidr.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace mixnet {

namespace {

constexpr std::size_t kMaxCidrText = 64;  // longer than any IPv6 address with a prefix

// The input echoed in an error, cut short and with control bytes replaced, so a hostile value
// cannot forge log lines or blow up a message.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxCidrText)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (text.size() > kMaxCidrText) out += "...";
  return out;
}

std::unexpected<Error> bad(std::string_view field, std::string_view cidr, std::string_view why) {
  return fail(Errc::invalid_argument,
              fmt::format("{}: '{}' {} (want an address with a prefix, like 198.18.0.1/24 or fd00::1/64)",
                          field, printable(cidr), why),
              std::string(field));
}

bool is_unicast_v4(const in_addr& a) {
  const std::uint32_t h = ntohl(a.s_addr);
  if (h == 0 || h == 0xffffffffU) return false;  // unspecified, limited broadcast
  return (h >> 28) != 0xe;                        // 224.0.0.0/4 is multicast
}

bool is_unicast_v6(const in6_addr& a) {
  static constexpr in6_addr kAny = IN6ADDR_ANY_INIT;
  if (std::memcmp(&a, &kAny, sizeof a) == 0) return false;
  return a.s6_addr[0] != 0xff;                    // ff00::/8 is multicast
}

}  // namespace

Result<std::string> normalize_cidr(std::string_view cidr, std::string_view field) {
  if (cidr.empty()) return bad(field, cidr, "is empty");
  if (cidr.size() > kMaxCidrText) return bad(field, cidr, "is too long");
  // inet_pton reads a C string: an embedded NUL would hide whatever follows it.
  if (cidr.find('\0') != std::string_view::npos) return bad(field, cidr, "contains a NUL byte");
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return bad(field, cidr, "has no /prefix");
  const std::string addr_text(cidr.substr(0, slash));
  const std::string_view prefix_text = cidr.substr(slash + 1);

  // Digits only: from_chars alone would accept "24abc" up to the letters, and "+24" or " 24"
  // must not slip through either. A leading zero ("024") is ambiguous and refused too.
  if (prefix_text.empty() || prefix_text.size() > 3 ||
      prefix_text.find_first_not_of("0123456789") != std::string_view::npos ||
      (prefix_text.size() > 1 && prefix_text.front() == '0')) {
    return bad(field, cidr, "has no valid prefix length");
  }
  unsigned prefix = 0;
  std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);

  std::array<char, INET6_ADDRSTRLEN> text{};
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, addr_text.c_str(), &v4) == 1) {
    if (prefix > 32) return bad(field, cidr, "has a prefix length over 32");
    if (!is_unicast_v4(v4)) return bad(field, cidr, "is not a unicast address");
    inet_ntop(AF_INET, &v4, text.data(), text.size());
  } else if (inet_pton(AF_INET6, addr_text.c_str(), &v6) == 1) {
    if (prefix > 128) return bad(field, cidr, "has a prefix length over 128");
    if (!is_unicast_v6(v6)) return bad(field, cidr, "is not a unicast address");
    inet_ntop(AF_INET6, &v6, text.data(), text.size());
  } else {
    return bad(field, cidr, "is not an IPv4 or IPv6 address");
  }
  return fmt::format("{}/{}", text.data(), prefix);
}

}  // namespace mixnet
