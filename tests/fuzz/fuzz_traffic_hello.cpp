// Fuzzes what a TCP traffic server reads from anyone on the data network before it admits a
// connection: the stream hello with its run secret (agent/traffic/tcp_hello.hpp), and the secret's
// hex as the API carries it (agent/traffic/run_secret.hpp). The first byte picks the input. Beyond
// "no crash": a hello that decodes encodes back to the same bytes (but for the flag bits and the
// reserved bytes a sender leaves 0) and decodes to the same fields, its secret compares equal to
// itself and unequal to any one-bit change; hex that parses prints back as the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "agent/traffic/run_secret.hpp"
#include "agent/traffic/tcp_hello.hpp"

namespace {

using namespace mixnet::agent::traffic;

void check(bool ok) {
  if (!ok) std::abort();
}

void hello(std::span<const std::uint8_t> bytes) {
  auto h = decode_hello(bytes);
  if (!h) {
    check(!h.error().message.empty());
    return;
  }
  check(bytes.size() == kHelloSize && h->stream < h->streams);
  const auto again = encode_hello(*h);
  for (std::size_t i = 0; i < kHelloSize; ++i) {
    if (i == 6 || i == 7 || i >= 40) continue;   // flags other than bit 0, and reserved: not read
    check(again[i] == bytes[i]);
  }
  auto back = decode_hello(again);
  check(back.has_value());
  check(back->session == h->session && back->stream == h->stream && back->streams == h->streams &&
        back->timeline == h->timeline && same_secret(back->secret, h->secret));
  // Each bit of the secret matters to the comparison.
  RunSecret other = h->secret;
  other.bytes[bytes[8] % kRunSecretBytes] ^= static_cast<std::uint8_t>(1u << (bytes[9] % 8));
  check(!same_secret(other, h->secret) && !same_secret(h->secret, other));
}

void secret_hex(std::string_view text) {
  auto s = run_secret_from_hex(text, "secret");
  if (!s) {
    check(s.error().field == "secret");
    return;
  }
  check(to_hex(*s) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  if (data[0] % 2 == 0) hello(rest);
  else secret_hex(std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()));
  return 0;
}
