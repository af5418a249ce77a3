#pragma once
// The one reader of a sysfs attribute file, shared by the RDMA inventory (rdma_sysfs.cpp) and the
// port counters (port_counters.cpp): a bounded POSIX read, trimmed, with the errno kept, because
// the kernel answers some attributes (an empty GID slot, a counter the driver does not support)
// with an error on read() rather than on open().
#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace mixnet::nic {

inline constexpr std::size_t kMaxSysfsAttribute = 4096;  // sysfs attributes are at most a page

// The attribute's text without surrounding whitespace; an error keeps its errno's code (fail_errno)
// names the path.
Result<std::string> read_sysfs_attribute(const std::filesystem::path& path);

}  // namespace mixnet::nic
