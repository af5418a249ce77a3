#pragma once
// Interface addresses in CIDR form, checked in one place with one rule for every part: the agent
// API's parser, the coordinator's nic.configure and the netlink driver all call this, so the
// kernel never sees anything but a canonical unicast address with a prefix.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet {

// "198.18.0.1/24" or "FD00:0::1/64" in, canonical text out ("fd00::1/64"). Strict: the prefix
// length is plain decimal digits without a leading zero ("/024" is refused), the address is a
// unicast IPv4 or IPv6 address (not unspecified, broadcast or multicast), nothing else around it.
// Errors are invalid_argument, name `field`, and quote the input cut short and made printable.
Result<std::string> normalize_cidr(std::string_view cidr, std::string_view field = "address");

}  // namespace mixnet
