#pragma once
// Small text helpers the report and lab tests share: a whole file as a string, and how often a
// piece of text occurs in another.
#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>

namespace mixnet::testing {

// The file's whole content ("" when it cannot be opened: the test's checks on it then fail).
inline std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Non-overlapping occurrences of `what` in `text`.
inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace mixnet::testing
