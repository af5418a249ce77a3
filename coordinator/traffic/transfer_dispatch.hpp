#pragma once
// Sends a set of transfers (so many bytes from one data port to another) through the agents'
// traffic engines, as many at once as the agents allow, and reports when each started and ended.
// What a MoE layer's all-to-all needs (measure.replay): every host sends to many peers, more
// than an agent runs at once (kMaxRunsPerAgent, servers and senders together), so the
// transfers are dispatched as places free up, in the order given, instead of in rounds: a
// port's bytes leave back to back, and a layer's completion is its slowest port's, not the sum
// of rounds. At most kDefaultTransfersPerPort go through one port each way at once, so a host's
// runs are spread over its ports.
//
// Per transfer: a receiver on the destination port (POST /v1/traffic/servers), then the sender
// towards the address the receiver bound (with its secret), then long-polls of the sender until
// it ends. Everything is driven on the pool's own loop (submit/run): a transfer whose sender ends
// frees its two places at once and the next transfer that fits starts from the same callback.
// The first transfers (those that fit at once) start together at one instant (start_at_ns), so
// the layer's clock starts for all of them alike. A refused start (409: the agent is full, e.g.
// a receiver of an ended transfer not yet gone) is tried again a little later.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// Transfers at once through one port, each way. A link carries one transfer at its full rate
// already; the agent's 16 runs are better spread over a host's ports, so that each port keeps
// sending while its neighbours' queues drain. Two, not one: the next transfer's start (its two
// requests, the TCP connection) overlaps the end of the one before, so the link never idles.
inline constexpr std::size_t kDefaultTransfersPerPort = 2;

struct Transfer {
  PortRef from;
  PortRef to;
  std::uint64_t bytes = 0;
};

struct TransferOutcome {
  bool ok = false;                 // every byte confirmed by the receiver
  std::string message;             // why not ("h1:ocs0 -> h2:ocs0: the sender's run tr-3 failed: ...")
  std::int64_t start_ns = 0;       // CLOCK_REALTIME, coordinator clock: the sender began sending (0: never)
  std::int64_t end_ns = 0;         // the sender's last byte was confirmed (0: never)
  std::uint64_t bytes_confirmed = 0;
  std::string client_run;          // the agents' run ids
  std::string server_run;
};

struct TransferDispatchOptions {
  std::int64_t deadline_ns = 0;                 // monotonic_ns(): every transfer ends by then (required)
  const std::atomic<bool>* cancel = nullptr;    // set: stop starting, cancel what runs
  std::size_t max_runs_per_agent = 0;           // 0: kMaxRunsPerAgent
  std::size_t max_per_port = 0;                 // 0: kDefaultTransfersPerPort
  std::string sink = "discard";                 // the receivers' sink (agent-api.md)
};

struct TransferDispatchResult {
  std::vector<TransferOutcome> transfers;       // in the order given
  std::int64_t first_start_ns = 0;              // the earliest start of any transfer (0: none started)
  std::int64_t last_end_ns = 0;                 // the latest end of any transfer
  std::size_t failed = 0;
  [[nodiscard]] double seconds() const {
    return first_start_ns > 0 && last_end_ns > first_start_ns ? static_cast<double>(last_end_ns - first_start_ns) / 1e9 : 0;
  }
};

// The agents' stamps are put on the coordinator's clock with AgentPool::clock_offset_ns (sample
// the clocks first, AgentPool::clock; a host without a sample counts as in step).
// The receiving address of each transfer is the one its receiver's agent bound (the port's own);
// the inventory names only the ports. Every run started is ended (cancelled when unfinished)
// before this returns.
TransferDispatchResult dispatch_transfers(AgentPool& pool, const std::vector<Transfer>& transfers,
                                          const TransferDispatchOptions& options);

}  // namespace mixnet::coord
