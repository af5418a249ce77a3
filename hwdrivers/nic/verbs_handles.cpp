#include "hwdrivers/nic/verbs_handles.hpp"

#include <cerrno>
#include <cstring>

namespace mixnet::nic::detail {

DeviceList get_device_list() {
  DeviceList out;
  int count = 0;
  errno = 0;
  out.list.reset(ibv_get_device_list(&count));
  if (!out.list) {
    const int err = errno;
    char buf[256];
    // ENOSYS: libibverbs found no RDMA subsystem in the kernel at all (no /sys/class/infiniband_verbs).
    out.note = err == ENOSYS ? std::string("no RDMA devices (the kernel has no RDMA support)")
                             : std::string("no RDMA devices (ibv_get_device_list: ") + strerror_r(err, buf, sizeof buf) + ")";
    return out;
  }
  out.count = count;
  if (count == 0) out.note = "no RDMA devices (libibverbs lists none)";
  return out;
}

}  // namespace mixnet::nic::detail
