#pragma once
// RDMA port events (IBV_EVENT_PORT_ACTIVE, PORT_ERR, GID_CHANGE, DEVICE_FATAL) from every device's
// async event fd. On a host without RDMA devices open() succeeds with no fds and says so; a
// device that cannot be opened is left out and named in note().
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mixnet::nic {

struct RdmaEvent {
  std::string device;
  int port = 0;               // 0 for device-wide events
  std::string event;          // "port_active", "port_err", "gid_change", "device_fatal", "other:<n>"
  std::int64_t read_time_ns = 0;
};

class RdmaEventMonitor {
 public:
  static Result<RdmaEventMonitor> open();
  RdmaEventMonitor(RdmaEventMonitor&&) noexcept;
  RdmaEventMonitor& operator=(RdmaEventMonitor&&) noexcept;
  ~RdmaEventMonitor();

  [[nodiscard]] std::vector<int> fds() const;   // one non-blocking fd per open device
  // "no RDMA devices..." when fds() is empty; names devices that would not open; else empty.
  [[nodiscard]] std::string note() const;
  Result<std::vector<RdmaEvent>> drain(int fd); // every pending event on that fd, acknowledged

 private:
  struct Impl;
  explicit RdmaEventMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::nic
