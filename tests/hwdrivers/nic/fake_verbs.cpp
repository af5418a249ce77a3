#include "tests/hwdrivers/nic/fake_verbs.hpp"

#include <endian.h>

#include <cerrno>

namespace mixnet::testing {

FakeVerbs::FakeVerbs() {
  port.state = IBV_PORT_ACTIVE;
  port.active_mtu = IBV_MTU_1024;
  port.lid = 0;
  // ::ffff:198.18.40.1 (a RoCE v2 GID for an IPv4 address)
  gid.raw[10] = 0xff;
  gid.raw[11] = 0xff;
  gid.raw[12] = 198;
  gid.raw[13] = 18;
  gid.raw[14] = 40;
  gid.raw[15] = 1;
}

FakeVerbs::~FakeVerbs() {
  for (auto* d : device_storage_) delete d;
}

bool FakeVerbs::should_fail(const std::string& verb) {
  const int n = ++calls[verb];
  return fail_verb == verb || fail_verb == verb + "#" + std::to_string(n);
}

ibv_device** FakeVerbs::get_device_list(int* count) {
  ++calls["get_device_list"];
  if (list_fails) {
    errno = list_errno;
    return nullptr;
  }
  auto** list = new ibv_device*[static_cast<std::size_t>(devices) + 1];
  while (device_storage_.size() < static_cast<std::size_t>(devices)) {
    device_storage_.push_back(new ibv_device{});
    names_.push_back("mlx5_" + std::to_string(names_.size()));
  }
  for (int i = 0; i < devices; ++i) list[i] = device_storage_[static_cast<std::size_t>(i)];
  list[devices] = nullptr;
  *count = devices;
  log.emplace_back("create device_list");
  ++live_;
  return list;
}

void FakeVerbs::free_device_list(ibv_device** list) {
  log.emplace_back("destroy device_list");
  --live_;
  delete[] list;
}

const char* FakeVerbs::get_device_name(ibv_device* device) {
  for (std::size_t i = 0; i < device_storage_.size(); ++i) {
    if (device_storage_[i] == device) return names_[i].c_str();
  }
  return nullptr;
}

ibv_context* FakeVerbs::open_device(ibv_device* device) {
  if (should_fail("open_device")) {
    errno = fail_errno;
    return nullptr;
  }
  auto* c = new ibv_context{};
  c->device = device;
  log.emplace_back("create context");
  ++live_;
  return c;
}

int FakeVerbs::close_device(ibv_context* context) {
  log.emplace_back("destroy context");
  --live_;
  delete context;
  return 0;
}

int FakeVerbs::query_device(ibv_context*, ibv_device_attr* attr) {
  if (should_fail("query_device")) return fail_errno;
  *attr = ibv_device_attr{};
  attr->max_qp_wr = 32768;
  attr->max_cqe = 4194303;
  attr->max_qp_rd_atom = 16;
  return 0;
}

int FakeVerbs::query_port(ibv_context*, std::uint8_t, ibv_port_attr* attr) {
  if (should_fail("query_port")) return fail_errno;
  *attr = port;
  return 0;
}

int FakeVerbs::query_gid(ibv_context*, std::uint8_t, int, ibv_gid* out) {
  if (should_fail("query_gid")) return fail_errno;
  *out = gid;
  return 0;
}

ibv_pd* FakeVerbs::alloc_pd(ibv_context* context) {
  if (should_fail("alloc_pd")) {
    errno = fail_errno;
    return nullptr;
  }
  auto* pd = new ibv_pd{};
  pd->context = context;
  log.emplace_back("create pd");
  ++live_;
  return pd;
}

int FakeVerbs::dealloc_pd(ibv_pd* pd) {
  log.emplace_back("destroy pd");
  --live_;
  delete pd;
  return 0;
}

ibv_mr* FakeVerbs::reg_mr(ibv_pd* pd, void* addr, std::size_t length, int) {
  if (should_fail("reg_mr")) {
    errno = fail_errno;
    return nullptr;
  }
  auto* mr = new ibv_mr{};
  mr->pd = pd;
  mr->addr = addr;
  mr->length = length;
  mr->lkey = 0x1111;
  mr->rkey = 0x2222;
  log.emplace_back("create mr");
  ++live_;
  return mr;
}

int FakeVerbs::dereg_mr(ibv_mr* mr) {
  log.emplace_back("destroy mr");
  --live_;
  delete mr;
  return 0;
}

ibv_cq* FakeVerbs::create_cq(ibv_context* context, int cqe) {
  if (should_fail("create_cq")) {
    errno = fail_errno;
    return nullptr;
  }
  auto* cq = new ibv_cq{};
  cq->context = context;
  cq->cqe = cqe;
  log.emplace_back("create cq");
  ++live_;
  return cq;
}

int FakeVerbs::destroy_cq(ibv_cq* cq) {
  log.emplace_back("destroy cq");
  --live_;
  delete cq;
  return 0;
}

ibv_qp* FakeVerbs::create_qp(ibv_pd* pd, ibv_qp_init_attr*) {
  if (should_fail("create_qp")) {
    errno = fail_errno;
    return nullptr;
  }
  auto* qp = new ibv_qp{};
  qp->pd = pd;
  qp->qp_num = 0x100 + static_cast<std::uint32_t>(++qps_created_);
  qp_numbers_[qp] = qps_created_;
  log.emplace_back("create qp#" + std::to_string(qps_created_));
  ++live_;
  return qp;
}

int FakeVerbs::destroy_qp(ibv_qp* qp) {
  log.emplace_back("destroy qp#" + std::to_string(qp_numbers_[qp]));
  --live_;
  delete qp;
  return 0;
}

int FakeVerbs::modify_qp(ibv_qp*, ibv_qp_attr* attr, int) {
  const char* stage = attr->qp_state == IBV_QPS_INIT ? "INIT" : attr->qp_state == IBV_QPS_RTR ? "RTR" : "RTS";
  if (should_fail(std::string("modify_qp:") + stage)) return fail_errno;
  modifies.push_back(*attr);
  return 0;
}

int FakeVerbs::post_send(ibv_qp* qp, ibv_send_wr* wr, ibv_send_wr** bad) {
  std::lock_guard lock(mu_);
  if (should_fail("post_send")) {
    *bad = wr;
    return fail_errno;
  }
  ++sends;
  if (wr->opcode == IBV_WR_SEND_WITH_IMM) control_imms.push_back(be32toh(wr->imm_data));
  if ((wr->send_flags & IBV_SEND_SIGNALED) != 0) {
    ++signalled;
    if (complete_sends) {
      ibv_wc wc{};
      wc.wr_id = wr->wr_id;
      ++send_completions_;
      wc.status = (wc_status_at_send != 0 && send_completions_ == wc_status_at_send) ? IBV_WC_RETRY_EXC_ERR
                                                                                    : IBV_WC_SUCCESS;
      wc.opcode = wr->opcode == IBV_WR_RDMA_READ ? IBV_WC_RDMA_READ
                  : wr->opcode == IBV_WR_RDMA_WRITE ? IBV_WC_RDMA_WRITE
                                                    : IBV_WC_SEND;
      wc.qp_num = qp->qp_num;
      pending_.push_back(wc);
    }
  }
  return 0;
}

int FakeVerbs::post_recv(ibv_qp*, ibv_recv_wr* wr, ibv_recv_wr** bad) {
  std::lock_guard lock(mu_);
  if (should_fail("post_recv")) {
    *bad = wr;
    return fail_errno;
  }
  return 0;
}

void FakeVerbs::deliver_imm(std::uint32_t imm) {
  std::lock_guard lock(mu_);
  ibv_wc wc{};
  wc.wr_id = 0;
  wc.status = IBV_WC_SUCCESS;
  wc.opcode = IBV_WC_RECV;
  wc.wc_flags = IBV_WC_WITH_IMM;
  wc.imm_data = htobe32(imm);
  pending_.push_back(wc);
}

int FakeVerbs::poll_cq(ibv_cq*, int entries, ibv_wc* wc) {
  std::lock_guard lock(mu_);
  if (should_fail("poll_cq")) {
    errno = fail_errno;
    return -1;
  }
  int n = 0;
  while (n < entries && !pending_.empty()) {
    wc[n++] = pending_.front();
    pending_.pop_front();
  }
  return n;
}

}  // namespace mixnet::testing
