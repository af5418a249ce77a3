#pragma once
// The process's limit on open descriptors (RLIMIT_NOFILE). Many distributions start programs
// with a soft limit of 1024; a coordinator of 128 agents keeps several connections open to each,
// so it raises its own soft limit to what it needs (the usual practice: the hard limit is the
// administrator's ceiling).
#include <cstdint>

#include "common/result.hpp"

namespace mixnet {

// Raises the soft limit to at least `wanted`: up to the hard limit, and past it when the process
// may raise the hard limit too (root). Returns the soft limit in force afterwards, which is below
// `wanted` only when the hard limit could not be raised. Never lowers a limit.
Result<std::uint64_t> raise_open_files_limit(std::uint64_t wanted);

}  // namespace mixnet
