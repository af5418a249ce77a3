#pragma once
// Wording the replay's text and HTML reports share, so both say the same thing the same way.
#include <string>
#include <vector>

#include "coordinator/replay/replay_types.hpp"

namespace mixnet::coord::replay::detail {

// "1.234 s": milliseconds are what a layer's completion resolves.
std::string seconds_text(double s);
// "1.85x", or "not run" when speedup_over gives 0 (a mode missing, or no time taken).
std::string speedup_text(const std::vector<ModeTotals>& totals, ReplayMode baseline);
// "0.1 Gb/s (line_rate_gbps)": the shaped rate and where it came from.
std::string line_rate_text(const ReplaySetup& setup);

}  // namespace mixnet::coord::replay::detail
