#pragma once
// The secret that ties a TCP traffic server to the one client the coordinator announced. The
// server's start answer hands it out (through the authenticated API, to whoever holds the token);
// the coordinator passes it in the client's request; the client puts it in every stream's hello;
// the server admits no connection whose hello lacks it, so bytes from anyone else on the data
// network are never counted. It is never logged, reported or stored: only its holders see it.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet::agent::traffic {

inline constexpr std::size_t kRunSecretBytes = 16;  // 128 bits: not guessable in a run's lifetime

struct RunSecret {
  std::array<std::uint8_t, kRunSecretBytes> bytes{};
};

// 128 bits from the kernel's CSPRNG (getrandom); io when it cannot give them.
Result<RunSecret> fresh_run_secret();

// 32 lower-case hex digits, as the API carries it.
std::string to_hex(const RunSecret& secret);
// The API's text back into bytes; invalid_argument naming `field` (never quoting the text).
Result<RunSecret> run_secret_from_hex(std::string_view hex, std::string_view field);

// Compares every byte whatever differs first, so how long a refusal takes says nothing about how
// much of a guess was right.
bool same_secret(const RunSecret& a, const RunSecret& b);

}  // namespace mixnet::agent::traffic
