#pragma once
// An AF_PACKET socket bound to one interface and to the probe EtherType: sends probe frames out
// of exactly that port and receives the ones that arrive on it.
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "hwdrivers/nic/probe_frame.hpp"

namespace mixnet::nic {

struct ReceivedProbe {
  ProbeFrame frame;
  std::int64_t receive_time_ns = 0;  // CLOCK_REALTIME when read
};

class ProbeSocket {
 public:
  static Result<ProbeSocket> open(int ifindex, const std::string& ifname);  // needs CAP_NET_RAW
  ProbeSocket(ProbeSocket&&) noexcept;
  ProbeSocket& operator=(ProbeSocket&&) noexcept;
  ~ProbeSocket();

  [[nodiscard]] int fd() const;   // non-blocking
  [[nodiscard]] const std::string& ifname() const;
  Result<void> send(const ProbeFrame& frame);
  // One pending frame, or nullopt when none is pending. Frames that are not valid probes are
  // skipped (counted in ignored()).
  Result<std::optional<ReceivedProbe>> receive();
  [[nodiscard]] std::uint64_t ignored() const;

 private:
  struct Impl;
  explicit ProbeSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::nic
