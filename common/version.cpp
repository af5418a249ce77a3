#include "common/version.hpp"

#ifndef MIXNET_VERSION
#error "MIXNET_VERSION is set by common/CMakeLists.txt from the project version"
#endif

namespace mixnet {

std::string_view version() { return MIXNET_VERSION; }

std::string version_line(std::string_view program) { return std::string(program) + " " + std::string(version()); }

}  // namespace mixnet
