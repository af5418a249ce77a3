#pragma once
// The RDMA part of the traffic API (docs/agent-api.md, "RDMA bandwidth"): the options of an RDMA
// run (perftest's -s -n -D -t -q -Q -x), the endpoint message two agents exchange through the
// coordinator to connect their queue pairs (perftest's out-of-band exchange: QPN, PSN, GID/LID,
// rkey, virtual address, MTU), and the bandwidth figures a run reports.
//
// Validation is strict and errors name the bad field with its full path ("rdma.peer.qps[1].psn"),
// because an endpoint travels agent -> coordinator -> agent and a bad one must be caught at the
// edge, not by a QP that never reaches RTR.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::wire {

// perftest's defaults (ib_write_bw) and our bounds.
inline constexpr std::uint32_t kRdmaDefaultSize = 65536;          // -s
inline constexpr std::uint32_t kRdmaMaxSize = 1U << 30;           // 1 GiB per message
inline constexpr std::uint64_t kRdmaMaxBufferBytes = 4ULL << 30;  // size x qps, registered memory
inline constexpr std::uint64_t kRdmaDefaultIterations = 5000;     // -n
inline constexpr std::uint64_t kRdmaMaxIterations = 1ULL << 32;
inline constexpr std::uint32_t kRdmaDefaultTxDepth = 128;         // -t
inline constexpr std::uint32_t kRdmaMaxTxDepth = 8192;
inline constexpr std::uint32_t kRdmaDefaultQps = 1;               // -q
inline constexpr std::uint32_t kRdmaMaxQps = 64;
inline constexpr std::uint32_t kRdmaDefaultCqMod = 100;           // -Q
inline constexpr std::uint64_t kRdmaDefaultMarginMs = 2000;       // -f (duration mode)
inline constexpr std::uint32_t kRdmaMaxGidIndex = 1023;
inline constexpr std::uint32_t kRdmaEndpointVersion = 1;

enum class RdmaVerb { write, read, send };
std::string_view to_string(RdmaVerb v);
Result<RdmaVerb> parse_rdma_verb(std::string_view text, std::string_view field);

// One RC queue pair as its peer must know it.
struct RdmaQpEndpoint {
  std::uint32_t qpn = 0;  // 24 bits, >= 2 (0 and 1 are the special QPs)
  std::uint32_t psn = 0;  // 24 bits
};

// What one side tells the other so their QPs can be connected (one message per side).
struct RdmaEndpoint {
  std::uint32_t version = kRdmaEndpointVersion;
  RdmaVerb verb = RdmaVerb::write;      // both sides must run the same test
  std::uint32_t size = kRdmaDefaultSize;
  std::vector<RdmaQpEndpoint> qps;      // one per QP, in QP order
  std::uint32_t lid = 0;                // 16 bits; 0 on RoCE
  std::string gid;                      // "fe80:0000:...": 8 groups of 4 hex digits, as sysfs prints it
  std::uint32_t gid_index = 0;          // the sender's own index (informative: the receiver uses its own)
  std::uint32_t mtu = 1024;             // bytes: 256, 512, 1024, 2048 or 4096 (the port's active MTU)
  std::uint32_t rkey = 0;               // of the buffer below
  std::uint64_t addr = 0;               // virtual address of the buffer
  std::uint64_t buffer_bytes = 0;       // size x qps: QP k's message slot is [addr + k*size, +size)
};

// The options of an RDMA run. The server (receiver / target) reads verb, size, qps, tx_depth and
// gid_index; the client (initiator) all of them, and `peer`: the server's endpoint.
struct RdmaOptions {
  RdmaVerb verb = RdmaVerb::write;
  std::uint32_t size = kRdmaDefaultSize;
  std::optional<std::uint64_t> iterations;  // -n per QP; default 5000 unless duration_ms is given
  std::uint32_t tx_depth = kRdmaDefaultTxDepth;
  std::uint32_t qps = kRdmaDefaultQps;
  std::uint32_t cq_mod = kRdmaDefaultCqMod;
  std::optional<std::uint32_t> gid_index;   // -x; absent: chosen from the port's address (docs/hardware.md)
  std::uint64_t margin_ms = kRdmaDefaultMarginMs;  // duration mode: cut from each end (-f)
  std::optional<RdmaEndpoint> peer;         // client: the server's endpoint, from its reply
};

// perftest-equivalent figures of a finished client run (docs/hardware.md).
struct RdmaBandwidth {
  std::uint64_t messages = 0;               // counted messages, all QPs (perftest's iters x qps)
  std::uint64_t bytes = 0;                  // messages x size
  std::int64_t first_post_ns = 0;           // steady-clock span of the measurement
  std::int64_t last_completion_ns = 0;
  double average_gbps = 0;                  // BW average[Gb/sec]
  std::optional<double> peak_gbps;          // BW peak[Gb/sec]; null where perftest disables it
  double message_rate_mpps = 0;             // MsgRate[Mpps]
};

struct RdmaRunReport {
  std::string device;                       // "mlx5_0"
  std::uint32_t port = 0;                   // RDMA port number
  std::uint32_t gid_index = 0;
  std::string gid;
  std::string gid_type;                     // "RoCE v2"
  RdmaVerb verb = RdmaVerb::write;
  std::uint32_t size = 0;
  std::uint32_t qps = 0;
  std::uint32_t tx_depth = 0;
  std::uint32_t cq_mod = 0;
  std::optional<std::uint64_t> iterations;
  std::optional<RdmaEndpoint> endpoint;     // this side's endpoint: hand it to the other side
  bool peer_connected = false;
  std::optional<RdmaBandwidth> bandwidth;   // client, once finished
};

// Strict readers: unknown keys, wrong types and out-of-range values are errors naming
// `prefix.key`. `client` selects which option keys are accepted.
Result<RdmaOptions> parse_rdma_options(const nlohmann::json& j, std::string_view prefix, bool client);
Result<RdmaEndpoint> parse_rdma_endpoint(const nlohmann::json& j, std::string_view prefix);
// Canonical GID text (lower-case, 8 groups of 4 digits) from any IPv6 spelling; errors name field.
Result<std::string> canonical_gid(std::string_view text, std::string_view field);
// The MTU in bytes as ibv_mtu (IBV_MTU_256 = 1 ... IBV_MTU_4096 = 5); 0 when not one of them.
int mtu_enum_from_bytes(std::uint32_t bytes);
std::uint32_t mtu_bytes_from_enum(int mtu);

void to_json(nlohmann::json& j, const RdmaQpEndpoint& v);
void to_json(nlohmann::json& j, const RdmaEndpoint& v);
void to_json(nlohmann::json& j, const RdmaOptions& v);
void to_json(nlohmann::json& j, const RdmaBandwidth& v);
void to_json(nlohmann::json& j, const RdmaRunReport& v);
void from_json(const nlohmann::json& j, RdmaBandwidth& v);
void from_json(const nlohmann::json& j, RdmaRunReport& v);

}  // namespace mixnet::wire
