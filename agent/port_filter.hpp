#pragma once
// Which netdevs the agent manages: the --ports list of names and shell globs (fnmatch). Every
// other interface is invisible to the API: it is not listed, cannot be configured or probed, and
// its link changes are not journaled.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::agent {

inline constexpr std::size_t kMaxPortPatterns = 256;
inline constexpr std::size_t kMaxPortPattern = 64;

class PortFilter {
 public:
  PortFilter() = default;
  explicit PortFilter(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

  [[nodiscard]] bool manages(std::string_view name) const;
  [[nodiscard]] const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;
};

// Splits "eth1,eth2, ens*" into patterns; empty entries, whitespace inside a pattern, over-long
// patterns and malformed brackets are errors that name the "ports" field.
Result<std::vector<std::string>> parse_port_list(std::string_view list);

}  // namespace mixnet::agent
