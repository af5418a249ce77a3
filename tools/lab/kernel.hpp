#pragma once
// The kernel work of the lab, batched: one `ip -batch` (or `tc -batch`) process per namespace
// carries all of that namespace's links, addresses, rules and qdiscs, so a 32-host lab costs a few
// dozen processes, not thousands. Sysctls are written in-process from a thread that joined the
// namespace.
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace mixnet::lab {

// `ip [-n NETNS] [-force] -batch -` with `commands` (one per line). Without `force` the first
// failing command stops the batch and the error names it; with `force` every command is tried.
Result<void> ip_batch(const std::string& netns, const std::vector<std::string>& commands, bool force = false);
Result<void> tc_batch(const std::string& netns, const std::vector<std::string>& commands, bool force = false);

// Writes /proc/sys/<key> = value inside `netns` ("net/ipv4/conf/all/arp_ignore", "1").
Result<void> set_sysctls(const std::string& netns, const std::vector<std::pair<std::string, std::string>>& values);

std::vector<std::string> namespaces_with_prefix(const std::string& prefix);   // from /run/netns
std::vector<std::string> root_links_with_prefix(const std::string& prefix);   // this namespace's links

// Third octets X of every 198.19.X.0/24 an address of this namespace sits in.
std::vector<int> used_mgmt_octets();

}  // namespace mixnet::lab
