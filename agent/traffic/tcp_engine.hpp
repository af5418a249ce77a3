#pragma once
// The TCP traffic engine: a server (receiver) and a client (sender) bound to one data port, with
// several streams, duration or byte-count runs, interval reports and a timeline mode that keeps a
// stream going across outages (see tcp_server_run.hpp and tcp_client_run.hpp).
#include "agent/traffic/traffic_engine.hpp"

namespace mixnet::agent::traffic {

// Bytes per send() and recv(): large enough that syscalls are a small share of the cost on a fast
// path (iperf3 uses 128 KiB).
inline constexpr std::size_t kTcpChunkBytes = 256 * 1024;

class TcpEngine final : public TrafficEngine {
 public:
  [[nodiscard]] std::string_view transport() const override { return "tcp"; }
  Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec) override;
};

}  // namespace mixnet::agent::traffic
