#pragma once
// The one reader of a bearer-token file, shared by the agent (its API token), the coordinator
// (each agent's token, the emulator's ground-truth token) and the tools, so a token file that one
// part accepts every part accepts.
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet {

inline constexpr std::size_t kMaxTokenFileBytes = 4096;

struct BearerToken {
  std::string token;
  std::optional<std::string> warning;  // set when group or others may read the file: chmod 600 it
};

// Reads a token file: a regular file of at most kMaxTokenFileBytes whose content, without
// surrounding whitespace, is one non-empty word of printable ASCII (a second line is refused, not
// ignored). Errors name `field` and the path; a file that cannot be opened keeps its errno's code.
Result<BearerToken> read_token_file(const std::string& path, std::string_view field);

}  // namespace mixnet
