#include "agent/traffic/rdma/rdma_plan.hpp"

namespace mixnet::agent::traffic::rdma {

Result<RdmaPlan> plan_rdma_run(const TrafficSpec& spec, const nic::RdmaScan& scan) {
  // Built in place in the result: a local RdmaPlan returned by implicit move into the expected
  // trips g++ 12 (ASan sees its destructor read outside the frame on the error paths).
  Result<RdmaPlan> out{std::in_place};
  RdmaPlan& plan = *out;
  plan.options = spec.rdma.value_or(wire::RdmaOptions{});
  const wire::RdmaOptions& o = plan.options;
  const bool client = spec.role == Role::client;
  if (o.size == 0 || o.size > wire::kRdmaMaxSize) return fail(Errc::invalid_argument, "out of range", "rdma.size");
  if (o.qps == 0 || o.qps > wire::kRdmaMaxQps) return fail(Errc::invalid_argument, "out of range", "rdma.qps");
  if (o.tx_depth == 0 || o.tx_depth > wire::kRdmaMaxTxDepth) {
    return fail(Errc::invalid_argument, "out of range", "rdma.tx_depth");
  }
  if (client) {
    if (!o.peer) return fail(Errc::invalid_argument, "required: the server's rdma.endpoint", "rdma.peer");
    if (o.cq_mod == 0 || o.cq_mod > o.tx_depth) {
      return fail(Errc::invalid_argument, "must be 1..tx_depth", "rdma.cq_mod");
    }
    if (o.iterations.has_value() == spec.duration.has_value()) {
      return fail(Errc::invalid_argument, "give duration_ms or rdma.iterations, exactly one", "rdma.iterations");
    }
    if (o.peer->qps.size() != o.qps || o.peer->size != o.size || o.peer->verb != o.verb) {
      return fail(Errc::invalid_argument, "the server's endpoint does not match verb, size and qps", "rdma.peer");
    }
    if (spec.duration && static_cast<std::int64_t>(o.margin_ms) * 2 >= spec.duration->count()) {
      return fail(Errc::invalid_argument, "2 x margin_ms must be shorter than duration_ms", "rdma.margin_ms");
    }
  }

  auto target = nic::resolve_rdma_target(scan, spec.port, spec.local_address, o.gid_index);
  if (!target) return std::unexpected(target.error());
  plan.target = std::move(*target);

  // The target of a SEND test needs a receive per message in flight; everyone else needs one
  // for the control message (READY on the client, DONE on the server).
  const bool receives_data = !client && o.verb == wire::RdmaVerb::send;
  plan.resources = nic::RdmaResourceSpec{.device = plan.target.device,
                                         .port = plan.target.port,
                                         .gid_index = plan.target.gid.index,
                                         .qps = o.qps,
                                         .send_depth = client ? o.tx_depth + 1 : 2,  // +1: the control SEND after the loop
                                         .recv_depth = receives_data ? o.tx_depth : 2,
                                         .buffer_bytes = static_cast<std::uint64_t>(o.size) * o.qps,
                                         .remote_access = !client};
  if (client) {
    plan.loop = BwLoopConfig{.verb = o.verb,
                             .size = o.size,
                             .tx_depth = o.tx_depth,
                             .cq_mod = o.cq_mod,
                             .iterations = o.iterations,
                             .duration_ns = spec.duration ? std::optional<std::int64_t>(spec.duration->count() * 1'000'000)
                                                          : std::nullopt,
                             .margin_ns = spec.duration ? static_cast<std::int64_t>(o.margin_ms) * 1'000'000 : 0,
                             .remote_addr = o.peer->addr,
                             .rkey = o.peer->rkey};
  }
  return out;
}

}  // namespace mixnet::agent::traffic::rdma
