#include "common/open_files_limit.hpp"

#include <sys/resource.h>

#include <cerrno>

namespace mixnet {

Result<std::uint64_t> raise_open_files_limit(std::uint64_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return fail_errno("getrlimit RLIMIT_NOFILE", errno);
  if (lim.rlim_cur >= wanted) return static_cast<std::uint64_t>(lim.rlim_cur);
  rlimit raised = lim;
  raised.rlim_cur = wanted;
  if (raised.rlim_max < wanted) raised.rlim_max = wanted;
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return static_cast<std::uint64_t>(raised.rlim_cur);
  // Not allowed past the hard limit: as far as it goes.
  if (lim.rlim_cur < lim.rlim_max) {
    raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return fail_errno("setrlimit RLIMIT_NOFILE", errno);
    return static_cast<std::uint64_t>(raised.rlim_cur);
  }
  return static_cast<std::uint64_t>(lim.rlim_cur);
}

}  // namespace mixnet
