#pragma once
// Identity probes: one AF_PACKET socket per managed port, read whenever the io_context says it is
// readable, every arriving probe recorded in that port's NeighborTable; on request, N probe frames
// out of the chosen ports carrying this host's id, the port name, a nonce and the send time.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/neighbor_table.hpp"
#include "agent/port_filter.hpp"
#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "hwdrivers/nic/netlink_links.hpp"

namespace boost::asio {
class io_context;
}

namespace mixnet::agent {

struct ProbePortCounters {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t neighbors = 0;
};

class ProbeService {
 public:
  ProbeService(boost::asio::io_context& io, nic::NetlinkLinks& links, const PortFilter& filter, std::string host_id);
  ~ProbeService();
  ProbeService(const ProbeService&) = delete;
  ProbeService& operator=(const ProbeService&) = delete;

  // Opens a socket on every managed port present now. A port whose socket fails to open is
  // logged and retried when it next comes up; the service itself still starts.
  Result<void> start();
  void stop();

  // Follows ports that appear, disappear or come up (socket opened or closed to match).
  void on_link_event(const wire::LinkEvent& ev);

  [[nodiscard]] bool has_port(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> ports() const;

  // Sends count probes out of each port (all managed ports when ports is empty). The caller has
  // validated the names with has_port.
  wire::ProbeResult send(const std::vector<std::string>& ports, std::uint32_t count, std::uint64_t nonce);

  [[nodiscard]] wire::NeighborsReply neighbors(const wire::NeighborsQuery& query) const;
  void clear_neighbors(const std::optional<std::string>& port);

  [[nodiscard]] std::map<std::string, ProbePortCounters> counters() const;
  [[nodiscard]] std::uint64_t send_errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::agent
