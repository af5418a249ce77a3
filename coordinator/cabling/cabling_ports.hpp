#pragma once
// The two kinds of name discovery speaks of. A NIC port under test is an index the caller chose
// (it maps "host:port" to 0, 1, ...), so the same index names the port in both stages; a switch
// port is the switch's own name for it, as its driver reads and sets it.
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord::cabling {

using NicIndex = int;
using SwitchPort = ocs::PortId;

}  // namespace mixnet::coord::cabling
