#pragma once
// The two sides of an RDMA bandwidth test (the exchange is brokered by the API, docs/agent-api.md):
//
//   1. server (target):  POST /v1/traffic/servers {transport: rdma}  -> its rdma.endpoint
//   2. client (initiator): POST /v1/traffic/runs {transport: rdma, rdma: {peer: <1>}}
//        -> its QPs reach RTS against the server's; the reply holds its own rdma.endpoint;
//           it waits (accept_timeout_ms) for the server's READY
//   3. POST /v1/traffic/runs/{server id}/peer {endpoint: <2>} on the server
//        -> its QPs reach RTS; it sends READY (a zero-length SEND with immediate)
//   4. the client runs perftest's loop, then sends DONE; the server ends on DONE.
//
// Every wait has a deadline; the verbs objects live in RdmaResources (released in reverse).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/traffic/rdma/rdma_plan.hpp"
#include "agent/traffic/run_recorder.hpp"

namespace mixnet::agent::traffic::rdma {

class RdmaRunBase : public TrafficRun {
 public:
  RdmaRunBase(std::string id, const TrafficSpec& spec, RdmaPlan plan, std::unique_ptr<nic::RdmaResources> res);
  ~RdmaRunBase() override;  // cancels, joins; then the resources go (QPs first)

  [[nodiscard]] RunState state() const override { return recorder_.state(); }
  [[nodiscard]] wire::TrafficRunReport report(bool with_bins) const override;
  void cancel() override;

 protected:
  void start_thread();
  void stop();  // cancel and join: every derived destructor calls it before its own members go
  virtual void main_loop() = 0;
  void set_bandwidth(const wire::RdmaBandwidth& bw);
  void set_peer_connected();
  // Polls the CQ until `want` matches a completion, the deadline, or cancel. Failed completions are errors.
  Result<ibv_wc> wait_completion(const std::function<bool(const ibv_wc&)>& want, std::int64_t deadline_mono,
                                 const char* what);

  const TrafficSpec spec_;
  const RdmaPlan plan_;
  RunRecorder recorder_;
  std::unique_ptr<nic::RdmaResources> res_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  wire::RdmaRunReport rdma_report_;  // guarded by report_mu_
  mutable std::mutex report_mu_;
  std::thread thread_;
};

class RdmaServerRun final : public RdmaRunBase {
 public:
  static Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec, RdmaPlan plan,
                                                   std::unique_ptr<nic::RdmaResources> res);
  using RdmaRunBase::RdmaRunBase;
  ~RdmaServerRun() override { stop(); }
  Result<void> attach_peer(const wire::RdmaEndpoint& peer) override;

 private:
  void main_loop() override;
  bool peer_attached_ = false;  // guarded by mu_
};

class RdmaClientRun final : public RdmaRunBase {
 public:
  static Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec, RdmaPlan plan,
                                                   std::unique_ptr<nic::RdmaResources> res);
  using RdmaRunBase::RdmaRunBase;
  ~RdmaClientRun() override { stop(); }

 private:
  void main_loop() override;
};

}  // namespace mixnet::agent::traffic::rdma
