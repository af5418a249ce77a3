#pragma once
// How a command ends, the same for every command: bad input said on standard error with exit 2;
// a file made for -o (`topology generate`, `trace generate`) written atomically, the folder
// created if missing.
#include <string>

#include "common/result.hpp"

namespace mixnet::coord {

// Prints "mixnet-coord: MESSAGE" on standard error and returns kExitBadInput.
int bad_input(const Error& e);

// kExitPassed when `text` is in `path`; otherwise says why on standard error and returns
// kExitFailed.
int write_output_file(const std::string& path, const std::string& text);

}  // namespace mixnet::coord
