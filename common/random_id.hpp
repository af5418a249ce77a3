#pragma once
// Random 64-bit identifiers that need to be unlikely to repeat, not secret: probe nonces, stream
// session ids. One generator per thread, seeded from the kernel, so no lock and no shared state.
// (Secrets come from getrandom directly: agent/traffic/run_secret.hpp.)
#include <cstdint>

namespace mixnet {

std::uint64_t random_id();

}  // namespace mixnet
