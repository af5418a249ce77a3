#include "agent/traffic/rdma/bw_loop.hpp"

#include <endian.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "agent/traffic/rdma/perftest_bw.hpp"

namespace mixnet::agent::traffic::rdma {

namespace {

constexpr std::int64_t kDrainDeadlineNs = 5'000'000'000;

ibv_wr_opcode opcode_of(wire::RdmaVerb verb) {
  switch (verb) {
    case wire::RdmaVerb::write: return IBV_WR_RDMA_WRITE;
    case wire::RdmaVerb::read: return IBV_WR_RDMA_READ;
    case wire::RdmaVerb::send: return IBV_WR_SEND;
  }
  return IBV_WR_RDMA_WRITE;
}

std::uint64_t wr_id(std::uint32_t qp, std::uint32_t covered) {
  return (static_cast<std::uint64_t>(qp) << 32) | covered;
}

const char* verb_name(wire::RdmaVerb verb) {
  switch (verb) {
    case wire::RdmaVerb::write: return "RDMA write";
    case wire::RdmaVerb::read: return "RDMA read";
    case wire::RdmaVerb::send: return "RDMA send";
  }
  return "RDMA";
}

enum class Phase { warmup, sample, cooldown, end };

}  // namespace

Error completion_error(const ibv_wc& wc, const char* what) {
  return Error{Errc::io,
               fmt::format("{} completion failed: {} (status {}, vendor error 0x{:x}, qpn {})", what,
                           ibv_wc_status_str(wc.status), static_cast<int>(wc.status), wc.vendor_err, wc.qp_num),
               {}};
}

Result<void> post_control(nic::RdmaResources& res, std::size_t qp, std::uint32_t imm) {
  ibv_send_wr wr{};
  wr.wr_id = kControlWrId;
  wr.opcode = IBV_WR_SEND_WITH_IMM;
  wr.send_flags = IBV_SEND_SIGNALED;
  wr.imm_data = htobe32(imm);
  wr.num_sge = 0;
  ibv_send_wr* bad = nullptr;
  if (const int rc = res.api().post_send(res.qp(qp), &wr, &bad); rc != 0) {
    return fail_errno(fmt::format("ibv_post_send (control) on {} QP {}", res.spec().device, qp), rc);
  }
  return {};
}

Result<void> post_receive(nic::RdmaResources& res, std::size_t qp, std::uint8_t* addr, std::uint32_t bytes) {
  ibv_sge sge{.addr = reinterpret_cast<std::uintptr_t>(addr), .length = bytes, .lkey = res.lkey()};
  ibv_recv_wr wr{};
  wr.wr_id = qp;
  wr.sg_list = bytes > 0 ? &sge : nullptr;
  wr.num_sge = bytes > 0 ? 1 : 0;
  ibv_recv_wr* bad = nullptr;
  if (const int rc = res.api().post_recv(res.qp(qp), &wr, &bad); rc != 0) {
    return fail_errno(fmt::format("ibv_post_recv on {} QP {}", res.spec().device, qp), rc);
  }
  return {};
}

Result<BwLoopResult> run_bw_loop(nic::RdmaResources& res, const BwLoopConfig& config, const std::atomic<bool>& cancel,
                                 const CompletionSink& on_completion, const std::function<std::int64_t()>& now) {
  const std::uint32_t qps = static_cast<std::uint32_t>(res.qp_count());
  if (qps == 0 || config.size == 0 || config.tx_depth == 0 || config.cq_mod == 0 || config.cq_mod > config.tx_depth) {
    return fail(Errc::invalid_argument, "bw loop: qps, size, tx_depth and 1 <= cq_mod <= tx_depth are required");
  }
  if (config.iterations.has_value() == config.duration_ns.has_value()) {
    return fail(Errc::invalid_argument, "bw loop: exactly one of iterations and duration");
  }
  BwLoopResult out;
  out.duration_mode = config.duration_ns.has_value();
  const std::uint64_t iters = config.iterations.value_or(0);
  const std::uint64_t total = iters * qps;
  const bool peak = !out.duration_mode && peak_enabled(false, iters);
  if (peak) {
    out.posted.assign(total, 0);
    out.completed.assign(total, 0);
  }

  std::vector<std::uint64_t> scnt(qps, 0), ccnt(qps, 0);
  std::vector<std::uint32_t> since_signal(qps, 0);
  std::uint64_t totscnt = 0, totccnt_slots = 0;  // totccnt_slots: perftest's totccnt (+= cq_mod, clamped)
  std::uint64_t outstanding_signalled = 0;

  ibv_sge sge{};
  ibv_send_wr wr{};
  wr.sg_list = &sge;
  wr.num_sge = 1;
  wr.opcode = opcode_of(config.verb);
  sge.length = config.size;
  sge.lkey = res.lkey();

  const std::int64_t start = now();
  Phase phase = out.duration_mode ? (config.margin_ns > 0 ? Phase::warmup : Phase::sample) : Phase::sample;
  if (out.duration_mode && phase == Phase::sample) out.first_post_ns = start;
  std::uint64_t sample_messages = 0;
  ibv_wc wc[kPollBatch];

  auto all_done = [&] {
    if (out.duration_mode) return phase == Phase::end;
    for (std::uint32_t q = 0; q < qps; ++q) {
      if (ccnt[q] < iters) return false;
    }
    return true;
  };

  while (!all_done()) {
    if (cancel.load(std::memory_order_relaxed)) return fail(Errc::timeout, "cancelled");
    const std::int64_t loop_now = now();
    if (loop_now > config.deadline_ns) {
      return fail(Errc::timeout, fmt::format("the test did not finish within the longest run allowed ({} of {} "
                                             "messages completed on QP 0)",
                                             ccnt[0], iters));
    }
    if (out.duration_mode) {
      const std::int64_t t = loop_now - start;
      if (phase == Phase::warmup && t >= config.margin_ns) {
        phase = Phase::sample;
        out.first_post_ns = now();
        sample_messages = 0;
      } else if (phase == Phase::sample && t >= *config.duration_ns - config.margin_ns) {
        phase = config.margin_ns > 0 ? Phase::cooldown : Phase::end;
        out.last_completion_ns = now();
        out.messages = sample_messages;
      } else if (phase == Phase::cooldown && t >= *config.duration_ns) {
        phase = Phase::end;
      }
      if (phase == Phase::end) break;
    }
    for (std::uint32_t q = 0; q < qps; ++q) {
      while ((out.duration_mode || scnt[q] < iters) && scnt[q] - ccnt[q] < config.tx_depth) {
        const bool last = !out.duration_mode && scnt[q] == iters - 1;
        const bool signalled = (scnt[q] % config.cq_mod == config.cq_mod - 1) || last;
        ++since_signal[q];
        wr.wr_id = wr_id(q, since_signal[q]);
        wr.send_flags = signalled ? IBV_SEND_SIGNALED : 0;
        sge.addr = reinterpret_cast<std::uintptr_t>(res.buffer()) + static_cast<std::uint64_t>(q) * config.size;
        if (config.verb != wire::RdmaVerb::send) {
          wr.wr.rdma.remote_addr = config.remote_addr + static_cast<std::uint64_t>(q) * config.size;
          wr.wr.rdma.rkey = config.rkey;
        }
        const std::int64_t t = now();
        if (peak) out.posted[totscnt] = t;
        else if (!out.duration_mode && totscnt == 0) out.first_post_ns = t;
        ibv_send_wr* bad = nullptr;
        if (const int rc = res.api().post_send(res.qp(q), &wr, &bad); rc != 0) {
          return fail_errno(fmt::format("ibv_post_send on {} QP {} (message {})", res.spec().device, q, scnt[q]), rc);
        }
        if (signalled) {
          since_signal[q] = 0;
          ++outstanding_signalled;
        }
        ++scnt[q];
        ++totscnt;
      }
    }
    const int ne = res.api().poll_cq(res.cq(), kPollBatch, wc);
    if (ne < 0) return fail_errno(fmt::format("ibv_poll_cq on {}", res.spec().device), errno);
    for (int k = 0; k < ne; ++k) {
      if (wc[k].status != IBV_WC_SUCCESS) {
        return std::unexpected(completion_error(wc[k], verb_name(config.verb)));
      }
      if (wc[k].wr_id == kControlWrId) continue;
      const auto q = static_cast<std::uint32_t>(wc[k].wr_id >> 32);
      const auto covered = static_cast<std::uint32_t>(wc[k].wr_id & 0xffffffffU);
      if (q >= qps) continue;  // a receive completion (wr_id = qp) never reaches here: no receives are posted
      --outstanding_signalled;
      ccnt[q] += covered;
      const std::int64_t t = now();
      if (peak) {
        totccnt_slots += config.cq_mod;
        out.completed[std::min(totccnt_slots, total) - 1] = t;
      }
      if (!out.duration_mode) out.last_completion_ns = t;
      if (phase == Phase::sample) sample_messages += covered;
      if (on_completion) on_completion(q, static_cast<std::uint64_t>(covered) * config.size);
    }
  }

  // Duration mode: stop posting and let what is outstanding complete, so the QPs are quiet.
  const std::int64_t drain_until = now() + kDrainDeadlineNs;
  while (out.duration_mode && outstanding_signalled > 0 && now() < drain_until) {
    const int ne = res.api().poll_cq(res.cq(), kPollBatch, wc);
    if (ne < 0) return fail_errno(fmt::format("ibv_poll_cq on {}", res.spec().device), errno);
    for (int k = 0; k < ne; ++k) {
      if (wc[k].status != IBV_WC_SUCCESS) return std::unexpected(completion_error(wc[k], "draining"));
      if (wc[k].wr_id == kControlWrId) continue;
      --outstanding_signalled;
      const auto q = static_cast<std::uint32_t>(wc[k].wr_id >> 32);
      const auto covered = static_cast<std::uint32_t>(wc[k].wr_id & 0xffffffffU);
      if (on_completion && q < qps) on_completion(q, static_cast<std::uint64_t>(covered) * config.size);
    }
  }

  if (!out.duration_mode) out.messages = total;
  if (!out.duration_mode && peak && total > 0) out.first_post_ns = out.posted[0];
  out.bandwidth.messages = out.messages;
  out.bandwidth.bytes = out.messages * config.size;
  out.bandwidth.first_post_ns = out.first_post_ns;
  out.bandwidth.last_completion_ns = out.last_completion_ns;
  out.bandwidth.average_gbps = average_gbps(config.size, out.messages, out.first_post_ns, out.last_completion_ns);
  out.bandwidth.message_rate_mpps = message_rate_mpps(out.messages, out.first_post_ns, out.last_completion_ns);
  if (peak) out.bandwidth.peak_gbps = peak_gbps(config.size, config.cq_mod, out.posted, out.completed);
  return out;
}

}  // namespace mixnet::agent::traffic::rdma
