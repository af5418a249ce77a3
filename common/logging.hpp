#pragma once
// One logging set-up for every binary (spdlog to stderr), so levels and formats match.
#include <string_view>

#include "common/result.hpp"

namespace mixnet {

// Level names: trace, debug, info, warn, error, critical, off. Anything else is an error that
// names the accepted values.
Result<void> setup_logging(std::string_view level, std::string_view program);

}  // namespace mixnet
