#pragma once
// VerbsApi: the libibverbs calls the RDMA traffic engine makes, behind one small interface, so the
// engine's every failure path (and the order in which it releases what it created) is tested
// with a fake on machines without an RDMA device. real_verbs() forwards to libibverbs unchanged.
//
// Conventions follow libibverbs: creators return nullptr and set errno; the others return 0 or
// an errno value (ibv_post_send, ibv_modify_qp) or -1 with errno set (ibv_poll_cq < 0).
#include <infiniband/verbs.h>

#include <cstdint>

namespace mixnet::nic {

class VerbsApi {
 public:
  virtual ~VerbsApi() = default;

  virtual ibv_device** get_device_list(int* count) = 0;
  virtual void free_device_list(ibv_device** list) = 0;
  virtual const char* get_device_name(ibv_device* device) = 0;
  virtual ibv_context* open_device(ibv_device* device) = 0;
  virtual int close_device(ibv_context* context) = 0;
  virtual int query_device(ibv_context* context, ibv_device_attr* attr) = 0;
  virtual int query_port(ibv_context* context, std::uint8_t port, ibv_port_attr* attr) = 0;
  virtual int query_gid(ibv_context* context, std::uint8_t port, int index, ibv_gid* gid) = 0;

  virtual ibv_pd* alloc_pd(ibv_context* context) = 0;
  virtual int dealloc_pd(ibv_pd* pd) = 0;
  virtual ibv_mr* reg_mr(ibv_pd* pd, void* addr, std::size_t length, int access) = 0;
  virtual int dereg_mr(ibv_mr* mr) = 0;
  virtual ibv_cq* create_cq(ibv_context* context, int cqe) = 0;
  virtual int destroy_cq(ibv_cq* cq) = 0;
  virtual ibv_qp* create_qp(ibv_pd* pd, ibv_qp_init_attr* attr) = 0;
  virtual int destroy_qp(ibv_qp* qp) = 0;
  virtual int modify_qp(ibv_qp* qp, ibv_qp_attr* attr, int mask) = 0;

  virtual int post_send(ibv_qp* qp, ibv_send_wr* wr, ibv_send_wr** bad) = 0;
  virtual int post_recv(ibv_qp* qp, ibv_recv_wr* wr, ibv_recv_wr** bad) = 0;
  virtual int poll_cq(ibv_cq* cq, int entries, ibv_wc* wc) = 0;
};

// The process-wide libibverbs forwarder.
VerbsApi& real_verbs();

}  // namespace mixnet::nic
