#pragma once
// The verbs objects of one RDMA traffic run, the rdma-core way: each owned by a unique_ptr with
// its destroy function, created in order (device list, context, PD, buffer, MR, CQ, QPs) and
// released in reverse on every path, a failure half-way included. Every verbs error becomes a
// message that names the verb, the device and errno's words.
//
// All calls go through a VerbsApi (verbs_api.hpp), so tests drive every failure with a fake.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/wire/rdma_api.hpp"
#include "hwdrivers/nic/verbs_api.hpp"

namespace mixnet::nic {

struct RdmaResourceSpec {
  std::string device;              // "mlx5_0", as libibverbs names it
  int port = 1;
  int gid_index = 0;
  std::uint32_t qps = 1;
  std::uint32_t send_depth = 128;  // per QP (perftest -t)
  std::uint32_t recv_depth = 1;    // per QP: receives the peer's SENDs land in
  std::uint64_t buffer_bytes = 0;  // registered, page-aligned, zeroed
  bool remote_access = true;       // REMOTE_WRITE | REMOTE_READ on the buffer (the target side)
};

// One owner per verbs type; the deleter calls the VerbsApi's destroy function.
template <class T>
using VerbsPtr = std::unique_ptr<T, std::function<void(T*)>>;

class RdmaResources {
 public:
  // Opens everything and moves each QP to INIT. A failure releases what was created, in reverse.
  static Result<std::unique_ptr<RdmaResources>> open(VerbsApi& api, const RdmaResourceSpec& spec);
  ~RdmaResources();  // QPs last to first, then CQ, MR, buffer, PD, context, device list
  RdmaResources(const RdmaResources&) = delete;
  RdmaResources& operator=(const RdmaResources&) = delete;

  // This side as its peer must know it (one PSN per QP, drawn at open).
  [[nodiscard]] wire::RdmaEndpoint endpoint(wire::RdmaVerb verb, std::uint32_t size) const;

  // INIT -> RTR -> RTS for every QP against the peer's endpoint (same QP count). The path MTU is
  // the smaller of the two ports' active MTUs.
  Result<void> connect(const wire::RdmaEndpoint& peer);

  [[nodiscard]] VerbsApi& api() const { return *api_; }
  [[nodiscard]] const RdmaResourceSpec& spec() const { return spec_; }
  [[nodiscard]] ibv_cq* cq() const { return cq_.get(); }
  [[nodiscard]] ibv_qp* qp(std::size_t i) const { return qps_[i].get(); }
  [[nodiscard]] std::size_t qp_count() const { return qps_.size(); }
  [[nodiscard]] std::uint8_t* buffer() const { return buffer_.get(); }
  [[nodiscard]] std::uint32_t lkey() const;
  [[nodiscard]] const std::string& gid() const { return gid_; }
  [[nodiscard]] std::uint32_t active_mtu_bytes() const { return wire::mtu_bytes_from_enum(active_mtu_); }

  RdmaResources(VerbsApi& api, RdmaResourceSpec spec);  // use open()

 private:
  Result<void> open_all();
  Result<void> modify(std::size_t qp, ibv_qp_attr& attr, int mask, const char* stage);

  VerbsApi* api_;
  RdmaResourceSpec spec_;
  // Declaration order is creation order; destruction runs it backwards (the QPs by hand).
  VerbsPtr<ibv_device*> device_list_;
  VerbsPtr<ibv_context> context_;
  VerbsPtr<ibv_pd> pd_;
  std::unique_ptr<std::uint8_t, void (*)(std::uint8_t*)> buffer_{nullptr, nullptr};
  VerbsPtr<ibv_mr> mr_;
  VerbsPtr<ibv_cq> cq_;
  std::vector<VerbsPtr<ibv_qp>> qps_;

  std::vector<std::uint32_t> psns_;
  std::string gid_;
  std::uint16_t lid_ = 0;
  int active_mtu_ = 0;
  int max_rd_atomic_ = 1;
};

}  // namespace mixnet::nic
