#include "agent/traffic/run_secret.hpp"

#include <cerrno>
#include <openssl/crypto.h>
#include <sys/random.h>

#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

static_assert(wire::kRunSecretHexDigits == kRunSecretBytes * 2);

Result<RunSecret> fresh_run_secret() {
  RunSecret s;
  // 16 bytes from a urandom source never come back short once the pool is initialised; a
  // signal before that (EINTR) is retried.
  for (;;) {
    const ssize_t n = ::getrandom(s.bytes.data(), s.bytes.size(), 0);
    if (n == static_cast<ssize_t>(s.bytes.size())) return s;
    if (n < 0 && errno == EINTR) continue;
    return fail_errno("getrandom (run secret)", n < 0 ? errno : EIO);
  }
}

std::string to_hex(const RunSecret& secret) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(secret.bytes.size() * 2);
  for (const std::uint8_t b : secret.bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

Result<RunSecret> run_secret_from_hex(std::string_view hex, std::string_view field) {
  if (auto valid = wire::validate_run_secret(hex, field); !valid) return std::unexpected(valid.error());
  const auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  RunSecret s;
  for (std::size_t i = 0; i < s.bytes.size(); ++i) {
    s.bytes[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  }
  return s;
}

bool same_secret(const RunSecret& a, const RunSecret& b) {
  // OpenSSL's constant-time comparison: how long it takes says nothing about where they differ.
  return CRYPTO_memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) == 0;
}

}  // namespace mixnet::agent::traffic
