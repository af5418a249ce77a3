#pragma once
// The initiator's measurement loop, perftest's run_iter_bw for RC (post_list 1): keep up to
// tx_depth work requests outstanding on every QP, signal one in cq_mod (and, in iteration mode,
// each QP's last), stamp every post and every completion slot, and poll the shared CQ. Duration
// mode runs the clock through perftest's states: margin (not counted), sample (counted), margin,
// end. The figures come from perftest_bw.hpp.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "common/wire/rdma_api.hpp"
#include "hwdrivers/nic/rdma_resources.hpp"

namespace mixnet::agent::traffic::rdma {

// Completions taken per ibv_poll_cq call: perftest's CTX_POLL_BATCH.
inline constexpr int kPollBatch = 16;

// Immediate data of the zero-length control SENDs (the data path never uses immediates).
inline constexpr std::uint32_t kImmReady = 0x52454459;  // "REDY": server -> client, the server's QPs are up
inline constexpr std::uint32_t kImmDone = 0x444f4e45;   // "DONE": client -> server, the test is over

struct BwLoopConfig {
  wire::RdmaVerb verb = wire::RdmaVerb::write;
  std::uint32_t size = wire::kRdmaDefaultSize;
  std::uint32_t tx_depth = wire::kRdmaDefaultTxDepth;
  std::uint32_t cq_mod = wire::kRdmaDefaultCqMod;
  std::optional<std::uint64_t> iterations;    // per QP (iteration mode)
  std::optional<std::int64_t> duration_ns;    // duration mode
  std::int64_t margin_ns = 0;                 // duration mode: cut from each end
  std::uint64_t remote_addr = 0;              // the peer's buffer (write/read)
  std::uint32_t rkey = 0;
  std::int64_t deadline_ns = INT64_MAX;       // steady clock: the loop fails past it (a stuck peer)
};

// Called once per completion: QP, bytes it covers, the steady time it was seen.
using CompletionSink = std::function<void(std::uint32_t qp, std::uint64_t bytes)>;

struct BwLoopResult {
  bool duration_mode = false;
  std::uint64_t messages = 0;                 // counted messages (all QPs)
  std::int64_t first_post_ns = 0;             // steady clock
  std::int64_t last_completion_ns = 0;
  std::vector<std::int64_t> posted;           // iteration mode with peak enabled: every post
  std::vector<std::int64_t> completed;        // ... and the completion slots
  wire::RdmaBandwidth bandwidth;              // the perftest figures
};

// Runs the loop on connected resources. `now` is the steady clock (monotonic_ns in the agent).
Result<BwLoopResult> run_bw_loop(nic::RdmaResources& res, const BwLoopConfig& config, const std::atomic<bool>& cancel,
                                 const CompletionSink& on_completion, const std::function<std::int64_t()>& now);

// A zero-length SEND with immediate on QP `qp`, signalled (wr_id kControlWrId).
inline constexpr std::uint64_t kControlWrId = ~0ULL;
Result<void> post_control(nic::RdmaResources& res, std::size_t qp, std::uint32_t imm);

// One receive of up to `bytes` at `addr` on QP `qp` (wr_id = qp).
Result<void> post_receive(nic::RdmaResources& res, std::size_t qp, std::uint8_t* addr, std::uint32_t bytes);

// A work completion's failure as an Error naming the verb and status ("RDMA write completion on QP 0: ...").
Error completion_error(const ibv_wc& wc, const char* what);

}  // namespace mixnet::agent::traffic::rdma
