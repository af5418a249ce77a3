#include "common/version.hpp"

// Generated in the build folder (common/CMakeLists.txt); defines MIXNET_REVISION.
#include "mixnet_revision.hpp"

#ifndef MIXNET_VERSION
#error "MIXNET_VERSION is set by common/CMakeLists.txt from the project version"
#endif
#ifndef MIXNET_REVISION
#error "MIXNET_REVISION is written by cmake/GitRevision.cmake"
#endif

namespace mixnet {

std::string_view version() { return MIXNET_VERSION; }

std::string_view revision() { return MIXNET_REVISION; }

std::string version_line(std::string_view program) {
  return std::string(program) + " " + std::string(version()) + " (" + std::string(revision()) + ")";
}

}  // namespace mixnet
