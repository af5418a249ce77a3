// enrich_with_ibverbs: live port attributes from ibv_query_port, on top of the sysfs scan.
#include <algorithm>

#include <fmt/format.h>

#include "hwdrivers/nic/rdma_inventory.hpp"
#include "hwdrivers/nic/verbs_handles.hpp"

namespace mixnet::nic {

void enrich_with_ibverbs(RdmaScan& scan) {
  if (scan.ports.empty()) return;
  const detail::DeviceList devices = detail::get_device_list();  // released last
  for (int i = 0; i < devices.count; ++i) {
    ibv_device* device = devices.list[static_cast<std::size_t>(i)];
    const std::string name = ibv_get_device_name(device);
    const bool wanted = std::any_of(scan.ports.begin(), scan.ports.end(), [&](const RdmaPort& p) { return p.device == name; });
    if (!wanted) continue;
    const detail::ContextPtr context(ibv_open_device(device));  // released before the list
    if (!context) continue;  // no permission or provider: sysfs values stand
    for (auto& port : scan.ports) {
      if (port.device != name || port.port <= 0 || port.port > 255) continue;
      ibv_port_attr attr{};
      if (ibv_query_port(context.get(), static_cast<std::uint8_t>(port.port), &attr) != 0) continue;
      port.state = static_cast<int>(attr.state);
      port.state_name = port_state_name(port.state);
      port.phys_state = attr.phys_state;
      port.phys_state_name = phys_state_name(port.phys_state);
      port.active_speed = decode_active_speed(attr.active_speed);
      port.active_width = decode_active_width(attr.active_width);
    }
  }
}

}  // namespace mixnet::nic
