#include "hwdrivers/nic/rdma_resources.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>

#include <fmt/format.h>

namespace mixnet::nic {

namespace {

constexpr std::size_t kPage = 4096;

std::string errno_words(int err) {
  char buf[256];
  return strerror_r(err, buf, sizeof buf);
}

// "ibv_alloc_pd on mlx5_0: Cannot allocate memory"; errno 0 means the verb failed without saying.
std::unexpected<Error> verb_failed(const char* verb, const std::string& where, int err) {
  return fail(err == ENOMEM ? Errc::unavailable : Errc::io,
              fmt::format("{} on {}: {}", verb, where, err == 0 ? std::string("failed (no errno)") : errno_words(err)));
}

std::uint32_t random_psn() {
  static std::mutex mu;
  static std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  return rng() & 0xFFFFFF;
}

}  // namespace

RdmaResources::RdmaResources(VerbsApi& api, RdmaResourceSpec spec) : api_(&api), spec_(std::move(spec)) {}

RdmaResources::~RdmaResources() {
  while (!qps_.empty()) qps_.pop_back();  // last created, first destroyed
  // The members below go in reverse declaration order: CQ, MR, buffer, PD, context, device list.
}

std::uint32_t RdmaResources::lkey() const { return mr_ ? mr_->lkey : 0; }

Result<std::unique_ptr<RdmaResources>> RdmaResources::open(VerbsApi& api, const RdmaResourceSpec& spec) {
  if (spec.qps == 0 || spec.buffer_bytes == 0 || spec.send_depth == 0 || spec.port < 1 || spec.port > 255) {
    return fail(Errc::invalid_argument, "RDMA resources need qps, send depth, a buffer and a port 1..255");
  }
  auto r = std::make_unique<RdmaResources>(api, spec);
  if (auto ok = r->open_all(); !ok) return std::unexpected(ok.error());  // r's destructor releases in reverse
  return r;
}

Result<void> RdmaResources::open_all() {
  VerbsApi* api = api_;
  const std::string& dev = spec_.device;

  int count = 0;
  errno = 0;
  device_list_ = VerbsPtr<ibv_device*>(api->get_device_list(&count), [api](ibv_device** l) { api->free_device_list(l); });
  if (!device_list_) {
    const int err = errno;
    return fail(Errc::unavailable,
                fmt::format("RDMA device {}: ibv_get_device_list: {}{}", dev, errno_words(err),
                            err == ENOSYS ? " (the kernel has no RDMA support)" : ""));
  }
  ibv_device* device = nullptr;
  std::string seen;
  for (int i = 0; i < count; ++i) {
    ibv_device* d = device_list_.get()[i];
    const char* name = api->get_device_name(d);
    if (name != nullptr && dev == name) device = d;
    seen += (seen.empty() ? "" : ", ") + std::string(name ? name : "?");
  }
  if (device == nullptr) {
    return fail(Errc::unavailable, fmt::format("RDMA device {}: libibverbs lists {}", dev,
                                               count == 0 ? std::string("no devices") : "only " + seen));
  }

  errno = 0;
  context_ = VerbsPtr<ibv_context>(api->open_device(device), [api](ibv_context* c) { api->close_device(c); });
  if (!context_) return verb_failed("ibv_open_device", dev, errno);

  ibv_device_attr dattr{};
  if (const int rc = api->query_device(context_.get(), &dattr); rc != 0) return verb_failed("ibv_query_device", dev, rc);
  max_rd_atomic_ = std::max(1, dattr.max_qp_rd_atom);
  if (spec_.send_depth > static_cast<std::uint32_t>(dattr.max_qp_wr) && dattr.max_qp_wr > 0) {
    return fail(Errc::invalid_argument,
                fmt::format("{} allows {} work requests per QP, asked {}", dev, dattr.max_qp_wr, spec_.send_depth),
                "rdma.tx_depth");
  }

  const std::string where = fmt::format("{} port {}", dev, spec_.port);
  ibv_port_attr pattr{};
  if (const int rc = api->query_port(context_.get(), static_cast<std::uint8_t>(spec_.port), &pattr); rc != 0) {
    return verb_failed("ibv_query_port", where, rc);
  }
  if (pattr.state != IBV_PORT_ACTIVE) {
    return fail(Errc::unavailable, fmt::format("{} is not ACTIVE (state {})", where, static_cast<int>(pattr.state)));
  }
  active_mtu_ = static_cast<int>(pattr.active_mtu);
  lid_ = pattr.lid;
  ibv_gid gid{};
  if (const int rc = api->query_gid(context_.get(), static_cast<std::uint8_t>(spec_.port), spec_.gid_index, &gid);
      rc != 0) {
    return verb_failed("ibv_query_gid", fmt::format("{} index {}", where, spec_.gid_index), rc == -1 ? errno : rc);
  }
  gid_ = fmt::format("{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}",
                     gid.raw[0], gid.raw[1], gid.raw[2], gid.raw[3], gid.raw[4], gid.raw[5], gid.raw[6], gid.raw[7],
                     gid.raw[8], gid.raw[9], gid.raw[10], gid.raw[11], gid.raw[12], gid.raw[13], gid.raw[14],
                     gid.raw[15]);

  errno = 0;
  pd_ = VerbsPtr<ibv_pd>(api->alloc_pd(context_.get()), [api](ibv_pd* p) { api->dealloc_pd(p); });
  if (!pd_) return verb_failed("ibv_alloc_pd", dev, errno);

  const std::size_t bytes = (spec_.buffer_bytes + kPage - 1) / kPage * kPage;
  buffer_ = {static_cast<std::uint8_t*>(std::aligned_alloc(kPage, bytes)), [](std::uint8_t* p) { std::free(p); }};
  if (!buffer_) return fail(Errc::unavailable, fmt::format("{} bytes for the RDMA buffer: out of memory", bytes));
  std::memset(buffer_.get(), 0, bytes);

  int access = IBV_ACCESS_LOCAL_WRITE;
  if (spec_.remote_access) access |= IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
  errno = 0;
  mr_ = VerbsPtr<ibv_mr>(api->reg_mr(pd_.get(), buffer_.get(), bytes, access), [api](ibv_mr* m) { api->dereg_mr(m); });
  if (!mr_) return verb_failed("ibv_reg_mr", fmt::format("{} ({} bytes)", dev, bytes), errno);

  const std::uint64_t cqe = static_cast<std::uint64_t>(spec_.qps) * (spec_.send_depth + spec_.recv_depth);
  if (dattr.max_cqe > 0 && cqe > static_cast<std::uint64_t>(dattr.max_cqe)) {
    return fail(Errc::invalid_argument,
                fmt::format("{} allows {} CQ entries; qps x (tx_depth + receives) needs {}", dev, dattr.max_cqe, cqe),
                "rdma.qps");
  }
  errno = 0;
  cq_ = VerbsPtr<ibv_cq>(api->create_cq(context_.get(), static_cast<int>(cqe)), [api](ibv_cq* c) { api->destroy_cq(c); });
  if (!cq_) return verb_failed("ibv_create_cq", dev, errno);

  for (std::uint32_t i = 0; i < spec_.qps; ++i) {
    ibv_qp_init_attr init{};
    init.send_cq = cq_.get();
    init.recv_cq = cq_.get();
    init.qp_type = IBV_QPT_RC;
    init.sq_sig_all = 0;  // perftest: one in cq_mod is signalled
    init.cap.max_send_wr = spec_.send_depth;
    init.cap.max_recv_wr = std::max<std::uint32_t>(1, spec_.recv_depth);
    init.cap.max_send_sge = 1;
    init.cap.max_recv_sge = 1;
    errno = 0;
    VerbsPtr<ibv_qp> qp(api->create_qp(pd_.get(), &init), [api](ibv_qp* q) { api->destroy_qp(q); });
    if (!qp) return verb_failed("ibv_create_qp", fmt::format("{} (QP {} of {})", dev, i + 1, spec_.qps), errno);
    qps_.push_back(std::move(qp));
    psns_.push_back(random_psn());

    ibv_qp_attr attr{};
    attr.qp_state = IBV_QPS_INIT;
    attr.pkey_index = 0;
    attr.port_num = static_cast<std::uint8_t>(spec_.port);
    attr.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
    if (auto ok = modify(i, attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS, "INIT"); !ok) {
      return ok;
    }
  }
  return {};
}

Result<void> RdmaResources::modify(std::size_t qp, ibv_qp_attr& attr, int mask, const char* stage) {
  const int rc = api_->modify_qp(qps_[qp].get(), &attr, mask);
  if (rc == 0) return {};
  return verb_failed(fmt::format("ibv_modify_qp({})", stage).c_str(),
                     fmt::format("{} QP {} (qpn {})", spec_.device, qp, qps_[qp]->qp_num), rc);
}

wire::RdmaEndpoint RdmaResources::endpoint(wire::RdmaVerb verb, std::uint32_t size) const {
  wire::RdmaEndpoint e;
  e.verb = verb;
  e.size = size;
  for (std::size_t i = 0; i < qps_.size(); ++i) e.qps.push_back({.qpn = qps_[i]->qp_num, .psn = psns_[i]});
  e.lid = lid_;
  e.gid = gid_;
  e.gid_index = static_cast<std::uint32_t>(spec_.gid_index);
  e.mtu = active_mtu_bytes() != 0 ? active_mtu_bytes() : 1024;
  e.rkey = mr_ ? mr_->rkey : 0;
  e.addr = reinterpret_cast<std::uintptr_t>(buffer_.get());
  e.buffer_bytes = spec_.buffer_bytes;
  return e;
}

Result<void> RdmaResources::connect(const wire::RdmaEndpoint& peer) {
  if (peer.qps.size() != qps_.size()) {
    return fail(Errc::invalid_argument,
                fmt::format("the peer has {} QPs, this side {}", peer.qps.size(), qps_.size()), "endpoint.qps");
  }
  ibv_gid dgid{};
  {
    auto canonical = wire::canonical_gid(peer.gid, "endpoint.gid");
    if (!canonical) return std::unexpected(canonical.error());
    unsigned bytes[16];
    std::sscanf(canonical->c_str(), "%2x%2x:%2x%2x:%2x%2x:%2x%2x:%2x%2x:%2x%2x:%2x%2x:%2x%2x", &bytes[0], &bytes[1],
                &bytes[2], &bytes[3], &bytes[4], &bytes[5], &bytes[6], &bytes[7], &bytes[8], &bytes[9], &bytes[10],
                &bytes[11], &bytes[12], &bytes[13], &bytes[14], &bytes[15]);
    for (int i = 0; i < 16; ++i) dgid.raw[i] = static_cast<std::uint8_t>(bytes[i]);
  }
  const int peer_mtu = wire::mtu_enum_from_bytes(peer.mtu);
  const int mtu = std::min(active_mtu_ != 0 ? active_mtu_ : peer_mtu, peer_mtu);
  for (std::size_t i = 0; i < qps_.size(); ++i) {
    ibv_qp_attr rtr{};
    rtr.qp_state = IBV_QPS_RTR;
    rtr.path_mtu = static_cast<ibv_mtu>(mtu);
    rtr.dest_qp_num = peer.qps[i].qpn;
    rtr.rq_psn = peer.qps[i].psn;
    rtr.max_dest_rd_atomic = static_cast<std::uint8_t>(std::min(max_rd_atomic_, 255));
    rtr.min_rnr_timer = 12;
    rtr.ah_attr.is_global = 1;  // RoCE always carries a GRH
    rtr.ah_attr.grh.dgid = dgid;
    rtr.ah_attr.grh.sgid_index = static_cast<std::uint8_t>(spec_.gid_index);
    rtr.ah_attr.grh.hop_limit = 0xFF;
    rtr.ah_attr.dlid = static_cast<std::uint16_t>(peer.lid);
    rtr.ah_attr.sl = 0;
    rtr.ah_attr.port_num = static_cast<std::uint8_t>(spec_.port);
    if (auto ok = modify(i, rtr,
                         IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
                             IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER,
                         "RTR");
        !ok) {
      return ok;
    }
    ibv_qp_attr rts{};
    rts.qp_state = IBV_QPS_RTS;
    rts.timeout = 14;    // 4.096 us x 2^14 = 67 ms per retry, as perftest
    rts.retry_cnt = 7;
    rts.rnr_retry = 7;   // infinite: a receiver short of receives waits rather than fails
    rts.sq_psn = psns_[i];
    rts.max_rd_atomic = static_cast<std::uint8_t>(std::min(max_rd_atomic_, 255));
    if (auto ok = modify(i, rts,
                         IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
                             IBV_QP_MAX_QP_RD_ATOMIC,
                         "RTS");
        !ok) {
      return ok;
    }
  }
  return {};
}

}  // namespace mixnet::nic
