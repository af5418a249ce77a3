#pragma once
// The one reader of a bearer-token file, shared by the agent (its API token), the coordinator
// (each agent's token, the emulator's ground-truth token) and the tools, so a token file that one
// part accepts every part accepts. A secret in a file that group or others may open is refused:
// anyone on the machine could read it (or, if writable, replace it).
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet {

inline constexpr std::size_t kMaxTokenFileBytes = 4096;

struct BearerToken {
  std::string token;
};

// Reads a token file: a regular file of mode 0600 or stricter (group and others have no access)
// and at most kMaxTokenFileBytes, whose content, without surrounding whitespace, is one non-empty
// word of printable ASCII (a second line is refused, not ignored). Errors name `field` and the
// path; a file that cannot be opened keeps its errno's code; an open mode is Errc::insecure_file.
Result<BearerToken> read_token_file(const std::string& path, std::string_view field);

// The mode rule on its own, for any file that holds a secret (a token, a TLS key): fails with
// Errc::insecure_file when `mode` gives group or others any access, naming the file and the mode:
// "/etc/mixnet/agent.token: mode 0644 lets group/others read it; chmod 600".
Result<void> require_private_mode(const std::string& path, mode_t mode, std::string_view field);

// A secret file by path (a token, a client key, a switch password file): it exists, is a regular
// file and passes require_private_mode. `what` names it in messages ("token file", "client key");
// errors name `field`; a file that cannot be stat'ed keeps its errno's code. Returns its stat.
Result<struct stat> stat_private_file(const std::string& path, std::string_view what, std::string_view field);

}  // namespace mixnet
