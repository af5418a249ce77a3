#pragma once
// Many TCP connections that never send a byte: what a careless or hostile host on the management
// network can open against a listener. The test process's descriptor limit is raised as needed.
#include <string>
#include <vector>

namespace mixnet::testing {

class IdleSockets {
 public:
  // Connects `count` sockets to ADDR:PORT (IPv4) from the calling thread's network namespace;
  // throws std::runtime_error naming the failing call.
  IdleSockets(const std::string& address, unsigned short port, int count);
  ~IdleSockets();
  IdleSockets(IdleSockets&& other) noexcept;
  IdleSockets& operator=(IdleSockets&&) = delete;
  IdleSockets(const IdleSockets&) = delete;
  IdleSockets& operator=(const IdleSockets&) = delete;

  [[nodiscard]] std::size_t size() const { return fds_.size(); }
  // How many of them the listener has closed by now (EOF or reset, without waiting).
  [[nodiscard]] std::size_t closed_by_peer() const;

 private:
  std::vector<int> fds_;
};

// Raises this process's RLIMIT_NOFILE soft limit to at least `wanted` (within the hard limit,
// which root may raise too); throws when that is impossible.
void raise_descriptor_limit(unsigned long wanted);

}  // namespace mixnet::testing
