#include "common/random_id.hpp"

#include <random>

namespace mixnet {

std::uint64_t random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

}  // namespace mixnet
