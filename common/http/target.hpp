#pragma once
// Request-target parsing and route matching, free of any I/O so that unit tests and the fuzz
// target exercise exactly the code the servers run.
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet::http {

struct Target {
  std::string path;                           // percent-decoded, always starts with '/'
  std::map<std::string, std::string> query;   // last value wins for repeated keys
};

// Parses an origin-form request target ("/v1/events?after=3&wait_ms=500"). Rejects anything
// that is not origin-form, bad percent escapes, NUL bytes and paths with ".." segments.
Result<Target> parse_target(std::string_view target);

// Matches "/v1/ports/{name}/config" against a decoded path; fills params with the {} segments.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string>& params);

// Percent-decoding of one component ('+' is not special in paths; in queries it is a space).
Result<std::string> percent_decode(std::string_view in, bool plus_is_space);

// Query helpers that name the field on error.
Result<std::uint64_t> query_uint(const Target& t, const std::string& key, std::uint64_t fallback,
                                 std::uint64_t max);

}  // namespace mixnet::http
