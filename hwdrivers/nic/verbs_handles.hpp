#pragma once
// Private to hwdrivers/nic: libibverbs objects owned the rdma-core way, each by a unique_ptr with
// its destroy function, so every exit path releases them (in reverse order of creation).
#include <infiniband/verbs.h>

#include <memory>
#include <string>

namespace mixnet::nic::detail {

struct FreeDeviceList {
  void operator()(ibv_device** list) const noexcept { if (list != nullptr) ibv_free_device_list(list); }
};
struct CloseDevice {
  void operator()(ibv_context* ctx) const noexcept { if (ctx != nullptr) ibv_close_device(ctx); }
};

using DeviceListPtr = std::unique_ptr<ibv_device*[], FreeDeviceList>;
using ContextPtr = std::unique_ptr<ibv_context, CloseDevice>;

struct DeviceList {
  DeviceListPtr list;
  int count = 0;
  std::string note;  // why the list is empty, in plain words; empty when there are devices
};

// ibv_get_device_list, where "no devices" and "no RDMA support in this kernel" are both a normal
// answer with a note, not an error.
DeviceList get_device_list();

}  // namespace mixnet::nic::detail
