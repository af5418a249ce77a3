#pragma once
// The testbed's version: CMake's project version (the top CMakeLists.txt) and the git revision the
// build was made from (cmake/GitRevision.cmake), compiled into version.cpp alone, so every binary
// answers --version with the same string and neither a version bump nor a new commit rebuilds
// more than that one file.
#include <string>
#include <string_view>

namespace mixnet {

// "0.1.0": what agents and the coordinator compare (/v1/health), so two builds of one release
// from different commits still agree.
std::string_view version();
// "git 2b8d77a5d267", "git 2b8d77a5d267+modified" (tracked files changed), or
// "unknown (not built from a git checkout)" for a tarball build.
std::string_view revision();
// "mixnet-coord 0.1.0 (git 2b8d77a5d267)": what `PROGRAM --version` prints.
std::string version_line(std::string_view program);

}  // namespace mixnet
