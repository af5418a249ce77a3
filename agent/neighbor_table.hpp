#pragma once
// What arrived on one port: every distinct sender (host, port, MAC) of identity probes, with the
// last nonce and times. Bounded: a port on a shared segment keeps the most recently seen senders.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/wire/agent_api.hpp"

namespace mixnet::agent {

inline constexpr std::size_t kMaxNeighborsPerPort = 64;

class NeighborTable {
 public:
  explicit NeighborTable(std::size_t capacity = kMaxNeighborsPerPort) : capacity_(capacity) {}

  void record(const std::string& host_id, const std::string& port, const std::string& mac, std::uint64_t nonce,
              std::int64_t send_time_ns, std::int64_t receive_time_ns);
  // Most recently seen first; with a nonce, only senders whose last probe carried it.
  [[nodiscard]] std::vector<wire::Neighbor> list(std::optional<std::uint64_t> nonce = std::nullopt) const;
  void clear() { entries_.clear(); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t received() const { return received_; }
  [[nodiscard]] std::uint64_t evicted() const { return evicted_; }

 private:
  std::size_t capacity_;
  std::vector<wire::Neighbor> entries_;
  std::uint64_t received_ = 0;
  std::uint64_t evicted_ = 0;
};

}  // namespace mixnet::agent
