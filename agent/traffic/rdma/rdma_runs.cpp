#include "agent/traffic/rdma/rdma_runs.hpp"

#include <endian.h>

#include <spdlog/spdlog.h>

#include "agent/traffic/traffic_thread.hpp"
#include "common/clock.hpp"

namespace mixnet::agent::traffic::rdma {

namespace {

constexpr std::int64_t kControlDeadlineNs = 5'000'000'000;


bool is_receive(const ibv_wc& wc) { return (wc.opcode & IBV_WC_RECV) != 0; }

bool carries(const ibv_wc& wc, std::uint32_t imm) {
  return is_receive(wc) && (wc.wc_flags & IBV_WC_WITH_IMM) != 0 && be32toh(wc.imm_data) == imm;
}

wire::RdmaRunReport base_report(const RdmaPlan& plan, const nic::RdmaResources& res) {
  wire::RdmaRunReport r;
  r.device = plan.target.device;
  r.port = static_cast<std::uint32_t>(plan.target.port);
  r.gid_index = static_cast<std::uint32_t>(plan.target.gid.index);
  r.gid = res.gid().empty() ? plan.target.gid.gid : res.gid();
  r.gid_type = plan.target.gid.type;
  r.verb = plan.options.verb;
  r.size = plan.options.size;
  r.qps = plan.options.qps;
  r.tx_depth = plan.options.tx_depth;
  r.cq_mod = plan.options.cq_mod;
  r.iterations = plan.options.iterations;
  r.endpoint = res.endpoint(plan.options.verb, plan.options.size);
  return r;
}

}  // namespace

RdmaRunBase::RdmaRunBase(std::string id, const TrafficSpec& spec, RdmaPlan plan, std::unique_ptr<nic::RdmaResources> res)
    : spec_(spec),
      plan_(std::move(plan)),
      recorder_(std::move(id), spec, realtime_ns(), realtime_ns(),
                to_ns(spec.duration.value_or(spec.max_duration)) + kControlDeadlineNs),
      res_(std::move(res)),
      rdma_report_(base_report(plan_, *res_)) {
  recorder_.set_streams(plan_.options.qps);
}

RdmaRunBase::~RdmaRunBase() { stop(); }

void RdmaRunBase::stop() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void RdmaRunBase::start_thread() {
  thread_ = std::thread([this] {
    begin_traffic_thread("mx-tr-rdma");
    main_loop();
  });
}

void RdmaRunBase::cancel() {
  cancel_.store(true);
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

wire::TrafficRunReport RdmaRunBase::report(bool with_bins) const {
  auto r = recorder_.report(with_bins);
  std::lock_guard lock(report_mu_);
  r.rdma = rdma_report_;
  return r;
}

void RdmaRunBase::set_bandwidth(const wire::RdmaBandwidth& bw) {
  std::lock_guard lock(report_mu_);
  rdma_report_.bandwidth = bw;
}

void RdmaRunBase::set_peer_connected() {
  std::lock_guard lock(report_mu_);
  rdma_report_.peer_connected = true;
}

Result<ibv_wc> RdmaRunBase::wait_completion(const std::function<bool(const ibv_wc&)>& want, std::int64_t deadline_mono,
                                            const char* what) {
  ibv_wc wc[kPollBatch];
  while (!cancel_.load()) {
    const int ne = res_->api().poll_cq(res_->cq(), kPollBatch, wc);
    if (ne < 0) return fail_errno("ibv_poll_cq on " + res_->spec().device, errno);
    for (int k = 0; k < ne; ++k) {
      if (wc[k].status != IBV_WC_SUCCESS) return std::unexpected(completion_error(wc[k], what));
      if (want(wc[k])) return wc[k];
    }
    if (ne == 0) {
      if (monotonic_ns() >= deadline_mono) return fail(Errc::timeout, std::string(what) + ": deadline passed");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  return fail(Errc::timeout, "cancelled");
}

// ---- server --------------------------------------------------------------------------------

Result<std::unique_ptr<TrafficRun>> RdmaServerRun::start(std::string id, const TrafficSpec& spec, RdmaPlan plan,
                                                         std::unique_ptr<nic::RdmaResources> res) {
  // Receives go up before the reply, so nothing the client sends can find an empty queue.
  const bool data = plan.options.verb == wire::RdmaVerb::send;
  for (std::size_t q = 0; q < res->qp_count(); ++q) {
    const std::uint32_t n = data ? res->spec().recv_depth : (q == 0 ? 1U : 0U);
    for (std::uint32_t k = 0; k < n; ++k) {
      auto ok = post_receive(*res, q, res->buffer() + q * plan.options.size, data ? plan.options.size : 0);
      if (!ok) return std::unexpected(ok.error());
    }
  }
  auto run = std::make_unique<RdmaServerRun>(std::move(id), spec, std::move(plan), std::move(res));
  run->start_thread();
  return run;
}

Result<void> RdmaServerRun::attach_peer(const wire::RdmaEndpoint& peer) {
  std::lock_guard lock(mu_);
  if (peer_attached_) return fail(Errc::conflict, "this run already has its peer", "endpoint");
  if (is_finished(recorder_.state())) return fail(Errc::conflict, "this run has finished", "id");
  if (peer.verb != plan_.options.verb) {
    return fail(Errc::invalid_argument,
                "the client runs " + std::string(wire::to_string(peer.verb)) + ", this server " +
                    std::string(wire::to_string(plan_.options.verb)),
                "endpoint.verb");
  }
  if (peer.size != plan_.options.size) return fail(Errc::invalid_argument, "differs from this server's", "endpoint.size");
  if (peer.qps.size() != plan_.options.qps) {
    return fail(Errc::invalid_argument,
                "the client has " + std::to_string(peer.qps.size()) + " QPs, this server " +
                    std::to_string(plan_.options.qps),
                "endpoint.qps");
  }
  if (auto ok = res_->connect(peer); !ok) return std::unexpected(ok.error().context("connect to the client's QPs"));
  if (auto ok = post_control(*res_, 0, kImmReady); !ok) return std::unexpected(ok.error());
  peer_attached_ = true;
  recorder_.set_peer(peer.gid);
  set_peer_connected();
  recorder_.event(0, "connected", "client QPN " + std::to_string(peer.qps.front().qpn) + " GID " + peer.gid);
  cv_.notify_all();
  return {};
}

void RdmaServerRun::main_loop() {
  const std::int64_t created = monotonic_ns();
  const std::int64_t lifetime = created + to_ns(spec_.duration.value_or(spec_.max_duration));
  {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, std::chrono::steady_clock::now() + spec_.accept_timeout,
                   [&] { return peer_attached_ || cancel_.load(); });
    if (cancel_.load()) {
      recorder_.finish(RunState::cancelled, realtime_ns());
      return;
    }
    if (!peer_attached_) {
      recorder_.error("no client endpoint within accept_timeout_ms (" + std::to_string(spec_.accept_timeout.count()) +
                      " ms): POST /v1/traffic/runs/" + recorder_.id() + "/peer with the client's rdma.endpoint");
      recorder_.finish(RunState::failed, realtime_ns());
      return;
    }
  }
  recorder_.mark_started(realtime_ns());
  const bool data = plan_.options.verb == wire::RdmaVerb::send;
  const bool timeline = recorder_.timeline_enabled();
  const std::int64_t interval = to_ns(spec_.interval);
  std::int64_t next_sample = monotonic_ns() + interval;
  ibv_wc wc[kPollBatch];
  RunState final_state = RunState::failed;
  std::int64_t end_ns = 0;
  for (;;) {
    if (cancel_.load()) {
      final_state = RunState::cancelled;
      break;
    }
    const std::int64_t now = monotonic_ns();
    if (now >= lifetime) {
      recorder_.error("lifetime of " + std::to_string(spec_.duration.value_or(spec_.max_duration).count()) +
                      " ms ended before the client's DONE");
      break;
    }
    if (now >= next_sample) {
      recorder_.sample_interval(realtime_ns());
      next_sample += interval;
    }
    const int ne = res_->api().poll_cq(res_->cq(), kPollBatch, wc);
    if (ne < 0) {
      recorder_.error("ibv_poll_cq on " + res_->spec().device + ": " + std::to_string(errno));
      break;
    }
    bool done = false;
    for (int k = 0; k < ne && !done; ++k) {
      if (wc[k].status != IBV_WC_SUCCESS) {
        recorder_.error(completion_error(wc[k], "RDMA server").message);
        done = true;
        break;
      }
      if (carries(wc[k], kImmDone)) {
        final_state = RunState::done;
        end_ns = realtime_ns();
        done = true;
        break;
      }
      if (!is_receive(wc[k]) || !data) continue;  // the READY's own completion
      const auto q = static_cast<std::size_t>(wc[k].wr_id);
      recorder_.add_bytes(static_cast<std::uint32_t>(q), wc[k].byte_len, timeline ? realtime_ns() : 0);
      if (auto ok = post_receive(*res_, q, res_->buffer() + q * plan_.options.size, plan_.options.size); !ok) {
        recorder_.error(ok.error().describe());
        done = true;
      }
    }
    if (done) break;
    // Nothing arrives here during a WRITE or READ test (one-sided): no need to spin.
    if (ne == 0 && !data) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  recorder_.finish(final_state, end_ns != 0 ? end_ns : realtime_ns());
  spdlog::info("rdma server {} on {} ({}): {}", recorder_.id(), spec_.port, plan_.target.device,
               to_string(final_state));
}

// ---- client --------------------------------------------------------------------------------

Result<std::unique_ptr<TrafficRun>> RdmaClientRun::start(std::string id, const TrafficSpec& spec, RdmaPlan plan,
                                                         std::unique_ptr<nic::RdmaResources> res) {
  // The receive for the server's READY goes up before our QPs can hear from it.
  if (auto ok = post_receive(*res, 0, res->buffer(), 0); !ok) return std::unexpected(ok.error());
  if (auto ok = res->connect(*plan.options.peer); !ok) {
    return std::unexpected(ok.error().context("connect to the server's QPs"));
  }
  auto run = std::make_unique<RdmaClientRun>(std::move(id), spec, std::move(plan), std::move(res));
  run->recorder_.set_peer(run->plan_.options.peer->gid);
  run->set_peer_connected();
  run->start_thread();
  return run;
}

void RdmaClientRun::main_loop() {
  const std::int64_t ready_deadline = monotonic_ns() + to_ns(spec_.accept_timeout);
  auto ready = wait_completion([](const ibv_wc& wc) { return carries(wc, kImmReady); }, ready_deadline,
                               "waiting for the server's READY");
  if (!ready) {
    if (cancel_.load()) {
      recorder_.finish(RunState::cancelled, realtime_ns());
      return;
    }
    recorder_.error("the server did not say READY within accept_timeout_ms (" +
                    std::to_string(spec_.accept_timeout.count()) +
                    " ms): was this run's rdma.endpoint posted to the server's /peer? (" + ready.error().message + ")");
    recorder_.finish(RunState::failed, realtime_ns());
    return;
  }
  recorder_.event(0, "connected", "server READY");
  recorder_.mark_started(realtime_ns());

  const bool timeline = recorder_.timeline_enabled();
  const std::int64_t interval = to_ns(spec_.interval);
  std::int64_t next_sample = monotonic_ns() + interval;
  auto sink = [&](std::uint32_t qp, std::uint64_t bytes) {
    recorder_.add_bytes(qp, bytes, timeline ? realtime_ns() : 0);
    if (const std::int64_t now = monotonic_ns(); now >= next_sample) {
      recorder_.sample_interval(realtime_ns());
      next_sample += interval;
    }
  };
  BwLoopConfig loop = plan_.loop;
  loop.deadline_ns = monotonic_ns() + to_ns(spec_.max_duration) + kControlDeadlineNs;
  auto result = run_bw_loop(*res_, loop, cancel_, sink, [] { return monotonic_ns(); });
  if (!result) {
    const bool cancelled = cancel_.load();
    if (!cancelled) recorder_.error(result.error().describe());
    recorder_.finish(cancelled ? RunState::cancelled : RunState::failed, realtime_ns());
    return;
  }
  const std::int64_t end = realtime_ns();
  set_bandwidth(result->bandwidth);

  // DONE, and its completion: on an RC QP that also means every earlier message on QP 0 landed.
  RunState final_state = RunState::done;
  if (auto ok = post_control(*res_, 0, kImmDone); !ok) {
    recorder_.error(ok.error().describe());
    final_state = RunState::failed;
  } else if (auto sent = wait_completion([](const ibv_wc& wc) { return wc.wr_id == kControlWrId; },
                                         monotonic_ns() + kControlDeadlineNs, "DONE to the server");
             !sent) {
    recorder_.error(sent.error().describe());
    final_state = cancel_.load() ? RunState::cancelled : RunState::failed;
  }
  recorder_.finish(final_state, end);
  spdlog::info("rdma client {} on {} ({}): {} average {:.2f} Gb/s", recorder_.id(), spec_.port, plan_.target.device,
               to_string(final_state), result->bandwidth.average_gbps);
}

}  // namespace mixnet::agent::traffic::rdma
