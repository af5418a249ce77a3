#pragma once
// Small text primitives shared by every part, so each rule exists once. Joining uses fmt::join.
#include <string>
#include <string_view>

namespace mixnet {

// `s` without leading and trailing characters from `blanks` (space, tab, CR and LF by default).
inline std::string_view trim_view(std::string_view s, std::string_view blanks = " \t\r\n") {
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(blanks);
  return s.substr(first, last - first + 1);
}

inline std::string trim(std::string_view s, std::string_view blanks = " \t\r\n") {
  return std::string(trim_view(s, blanks));
}

}  // namespace mixnet
