#pragma once
// The testbed's version: CMake's project version (the top CMakeLists.txt), compiled into
// version.cpp alone, so every binary answers --version with the same string and a version bump
// rebuilds one file.
#include <string>
#include <string_view>

namespace mixnet {

// "0.1.0"
std::string_view version();
// "mixnet-coord 0.1.0": what `PROGRAM --version` prints.
std::string version_line(std::string_view program);

}  // namespace mixnet
