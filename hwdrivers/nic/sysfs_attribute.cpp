#include "hwdrivers/nic/sysfs_attribute.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>

#include "common/text.hpp"
#include "common/unique_fd.hpp"

namespace mixnet::nic {

Result<std::string> read_sysfs_attribute(const std::filesystem::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return fail_errno(fmt::format("read {}", path.string()), errno);
  std::array<char, kMaxSysfsAttribute> buf{};
  ssize_t n = 0;
  do { n = ::read(fd.get(), buf.data(), buf.size()); } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno(fmt::format("read {}", path.string()), errno);
  return std::string(trim_view(std::string_view(buf.data(), static_cast<std::size_t>(n))));
}

}  // namespace mixnet::nic
