#pragma once
// Where a command that makes a file (`topology generate`, `trace generate`) puts it given -o:
// written atomically, the folder created if missing.
#include <string>

namespace mixnet::coord {

// kExitPassed when `text` is in `path`; otherwise says why on standard error and returns
// kExitFailed.
int write_output_file(const std::string& path, const std::string& text);

}  // namespace mixnet::coord
