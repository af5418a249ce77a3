// RdmaEventMonitor: one ibv_context per device, kept open only for its async event fd.
#include "hwdrivers/nic/rdma_events.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "hwdrivers/nic/verbs_handles.hpp"

namespace mixnet::nic {

namespace {

std::string event_name(ibv_event_type type) {
  switch (type) {
    case IBV_EVENT_PORT_ACTIVE: return "port_active";
    case IBV_EVENT_PORT_ERR: return "port_err";
    case IBV_EVENT_GID_CHANGE: return "gid_change";
    case IBV_EVENT_DEVICE_FATAL: return "device_fatal";
    default: return fmt::format("other:{}", static_cast<int>(type));
  }
}

bool is_port_event(ibv_event_type type) {
  switch (type) {
    case IBV_EVENT_PORT_ACTIVE:
    case IBV_EVENT_PORT_ERR:
    case IBV_EVENT_LID_CHANGE:
    case IBV_EVENT_PKEY_CHANGE:
    case IBV_EVENT_SM_CHANGE:
    case IBV_EVENT_CLIENT_REREGISTER:
    case IBV_EVENT_GID_CHANGE: return true;
    default: return false;
  }
}

}  // namespace

struct RdmaEventMonitor::Impl {
  struct Device {
    std::string name;
    detail::ContextPtr context;
  };
  std::vector<Device> devices;
  std::string note;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    while (!devices.empty()) devices.pop_back();  // close in reverse order of opening
  }
};

RdmaEventMonitor::RdmaEventMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RdmaEventMonitor::RdmaEventMonitor(RdmaEventMonitor&&) noexcept = default;
RdmaEventMonitor& RdmaEventMonitor::operator=(RdmaEventMonitor&&) noexcept = default;
RdmaEventMonitor::~RdmaEventMonitor() = default;

Result<RdmaEventMonitor> RdmaEventMonitor::open() {
  auto impl = std::make_unique<Impl>();
  const detail::DeviceList list = detail::get_device_list();
  // A device that will not open (permissions, a wedged firmware) must not cost us the others:
  // it is left out and named in the note.
  std::vector<std::string> problems;
  // Open contexts stay valid after the list is freed (libibverbs documents this), so the list
  // only lives for this function.
  for (int i = 0; i < list.count; ++i) {
    ibv_device* device = list.list[static_cast<std::size_t>(i)];
    const std::string name = ibv_get_device_name(device);
    detail::ContextPtr context(ibv_open_device(device));
    if (!context) {
      problems.push_back(fail_errno(fmt::format("ibv_open_device {}", name), errno).error().message);
      continue;
    }
    const int fd = context->async_fd;
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      problems.push_back(fail_errno(fmt::format("make {} async fd non-blocking", name), errno).error().message);
      continue;
    }
    impl->devices.push_back({name, std::move(context)});
  }
  if (impl->devices.empty() && problems.empty()) {
    impl->note = list.note.empty() ? "no RDMA devices" : list.note;
  } else if (impl->devices.empty()) {
    impl->note = fmt::format("no RDMA devices could be opened ({})", fmt::join(problems, "; "));
  } else if (!problems.empty()) {
    impl->note = fmt::format("some RDMA devices could not be opened ({})", fmt::join(problems, "; "));
  }
  return RdmaEventMonitor(std::move(impl));
}

std::vector<int> RdmaEventMonitor::fds() const {
  std::vector<int> out;
  for (const auto& d : impl_->devices) out.push_back(d.context->async_fd);
  return out;
}

std::string RdmaEventMonitor::note() const { return impl_->note; }

Result<std::vector<RdmaEvent>> RdmaEventMonitor::drain(int fd) {
  auto it = std::find_if(impl_->devices.begin(), impl_->devices.end(),
                         [&](const Impl::Device& d) { return d.context->async_fd == fd; });
  if (it == impl_->devices.end()) {
    return fail(Errc::not_found, fmt::format("fd: {} is not an RDMA async event fd of this monitor", fd), "fd");
  }
  std::vector<RdmaEvent> events;
  for (;;) {
    ibv_async_event event{};
    if (ibv_get_async_event(it->context.get(), &event) != 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      return fail_errno(fmt::format("ibv_get_async_event {}", it->name), err);
    }
    const std::int64_t now = realtime_ns();
    RdmaEvent out{it->name, is_port_event(event.event_type) ? event.element.port_num : 0,
                  event_name(event.event_type), now};
    ibv_ack_async_event(&event);  // every event must be acknowledged or ibv_close_device blocks
    events.push_back(std::move(out));
  }
  return events;
}

}  // namespace mixnet::nic
