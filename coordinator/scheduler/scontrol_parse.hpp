#pragma once
// Reading `scontrol show node -o NAME`: one line of Key=Value fields. Values may hold spaces
// (OS=Linux 6.1 #1 SMP ...), and the reason, always printed last as
// "Reason=<text> [<user>@<time>]", may hold anything a person typed, '=' included, so the line
// is not split at spaces: State is read from the fields before Reason, and the reason is
// everything after "Reason=" up to its final " [user@time]".
#include <string_view>

#include "common/result.hpp"
#include "coordinator/scheduler/scheduler.hpp"

namespace mixnet::coord::scheduler {

// Errc::protocol naming the node when the line has no NodeName or State, or names another node.
Result<NodeState> parse_scontrol_node(std::string_view line, std::string_view expected_node);

}  // namespace mixnet::coord::scheduler
