#pragma once
// Identity probes: one AF_PACKET socket per managed port, read whenever the io_context says it is
// readable, every arriving probe recorded in that port's NeighborTable; on request, N probe frames
// out of the chosen ports carrying this host's id, the port name, a nonce and the send time.
//
// Neighbours learnt on their own, like LLDP but at once: the moment a port's carrier comes up the
// service sends hellos (to the nearest-bridge group, which no switch forwards: only the NIC at the
// other end of the cable or circuit hears them), and answers each hello it hears once, so both
// ends hear each other whichever came up first. The first identity a port hears from such a frame
// after its carrier went down (or a different one later) is reported through on_neighbor, which
// the agent journals as a `neighbor` event: a coordinator learns who is cabled to whom from the
// event streams it already reads, without a probe request per port.
#include <cstdint>
#include <functional>
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

// What a port heard from its far end (a hello or an answer to one).
struct NeighborHeard {
  std::string port;          // ours
  int ifindex = 0;
  std::string host_id;       // the far end's agent
  std::string peer_port;     // the far end's port
  std::string mac;           // the far end's MAC
  std::int64_t time_ns = 0;  // when the frame was read (CLOCK_REALTIME)
};

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

  // Called on the io thread for each neighbour a port learns (see above).
  std::function<void(const NeighborHeard&)> on_neighbor;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::agent
