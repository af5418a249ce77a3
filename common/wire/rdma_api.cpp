#include "common/wire/rdma_api.hpp"
#include "common/wire/json_fields.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace mixnet::wire {

using nlohmann::json;

namespace {

using fields::as_uint;
using fields::only_keys;
using fields::read_uint;
using fields::joined;

Result<RdmaVerb> read_verb(const json& body, std::string_view prefix, RdmaVerb fallback, bool required) {
  const auto it = body.find("verb");
  const std::string field = joined(prefix, "verb");
  if (it == body.end()) {
    if (required) return fail(Errc::invalid_argument, "required", field);
    return fallback;
  }
  if (!it->is_string()) return fail(Errc::invalid_argument, "must be \"write\", \"read\" or \"send\"", field);
  return parse_rdma_verb(it->get_ref<const std::string&>(), field);
}

}  // namespace

std::string_view to_string(RdmaVerb v) {
  switch (v) {
    case RdmaVerb::write: return "write";
    case RdmaVerb::read: return "read";
    case RdmaVerb::send: return "send";
  }
  return "write";
}

Result<RdmaVerb> parse_rdma_verb(std::string_view text, std::string_view field) {
  if (text == "write") return RdmaVerb::write;
  if (text == "read") return RdmaVerb::read;
  if (text == "send") return RdmaVerb::send;
  return fail(Errc::invalid_argument, "must be \"write\", \"read\" or \"send\"", std::string(field));
}

int mtu_enum_from_bytes(std::uint32_t bytes) {
  switch (bytes) {
    case 256: return 1;
    case 512: return 2;
    case 1024: return 3;
    case 2048: return 4;
    case 4096: return 5;
    default: return 0;
  }
}

std::uint32_t mtu_bytes_from_enum(int mtu) { return mtu >= 1 && mtu <= 5 ? 128U << mtu : 0; }

Result<std::string> canonical_gid(std::string_view text, std::string_view field) {
  in6_addr a{};
  const std::string s(text);
  if (s.size() > 64 || s.find('\0') != std::string::npos || inet_pton(AF_INET6, s.c_str(), &a) != 1) {
    return fail(Errc::invalid_argument, "not a GID (8 groups of 4 hex digits, as in sysfs gids/<i>)",
                std::string(field));
  }
  char out[40];
  std::snprintf(out, sizeof out, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
                a.s6_addr[0], a.s6_addr[1], a.s6_addr[2], a.s6_addr[3], a.s6_addr[4], a.s6_addr[5], a.s6_addr[6],
                a.s6_addr[7], a.s6_addr[8], a.s6_addr[9], a.s6_addr[10], a.s6_addr[11], a.s6_addr[12], a.s6_addr[13],
                a.s6_addr[14], a.s6_addr[15]);
  return std::string(out);
}

Result<RdmaEndpoint> parse_rdma_endpoint(const json& j, std::string_view prefix) {
  if (!j.is_object()) return fail(Errc::invalid_argument, "must be an endpoint object (a run's rdma.endpoint)", std::string(prefix));
  if (auto r = only_keys(j, {"version", "verb", "size", "qps", "lid", "gid", "gid_index", "mtu", "rkey", "addr",
                             "buffer_bytes"},
                         prefix);
      !r) {
    return std::unexpected(r.error());
  }
  RdmaEndpoint e;
  if (auto r = read_uint(j, prefix, "version", 1, 1000, e.version, true); !r) return std::unexpected(r.error());
  if (e.version != kRdmaEndpointVersion) {
    return fail(Errc::invalid_argument,
                "endpoint version " + std::to_string(e.version) + " is not understood (this agent speaks " +
                    std::to_string(kRdmaEndpointVersion) + ")",
                joined(prefix, "version"));
  }
  auto verb = read_verb(j, prefix, RdmaVerb::write, true);
  if (!verb) return std::unexpected(verb.error());
  e.verb = *verb;
  if (auto r = read_uint(j, prefix, "size", 1, kRdmaMaxSize, e.size, true); !r) return std::unexpected(r.error());

  const auto qps = j.find("qps");
  const std::string qps_field = joined(prefix, "qps");
  if (qps == j.end()) return fail(Errc::invalid_argument, "required", qps_field);
  if (!qps->is_array() || qps->empty() || qps->size() > kRdmaMaxQps) {
    return fail(Errc::invalid_argument, "must be an array of 1.." + std::to_string(kRdmaMaxQps) + " {qpn, psn}",
                qps_field);
  }
  for (std::size_t i = 0; i < qps->size(); ++i) {
    const std::string item = qps_field + "[" + std::to_string(i) + "]";
    const json& q = (*qps)[i];
    if (!q.is_object()) return fail(Errc::invalid_argument, "must be an object {qpn, psn}", item);
    if (auto r = only_keys(q, {"qpn", "psn"}, item); !r) return std::unexpected(r.error());
    RdmaQpEndpoint qp;
    if (auto r = read_uint(q, item, "qpn", 2, 0xFFFFFF, qp.qpn, true); !r) return std::unexpected(r.error());
    if (auto r = read_uint(q, item, "psn", 0, 0xFFFFFF, qp.psn, true); !r) return std::unexpected(r.error());
    for (const auto& earlier : e.qps) {
      if (earlier.qpn == qp.qpn) {
        return fail(Errc::invalid_argument, "QPN " + std::to_string(qp.qpn) + " appears twice", item + ".qpn");
      }
    }
    e.qps.push_back(qp);
  }
  if (auto r = read_uint(j, prefix, "lid", 0, 0xFFFF, e.lid); !r) return std::unexpected(r.error());
  const auto gid = j.find("gid");
  if (gid == j.end()) return fail(Errc::invalid_argument, "required", joined(prefix, "gid"));
  if (!gid->is_string()) return fail(Errc::invalid_argument, "must be a GID string", joined(prefix, "gid"));
  auto g = canonical_gid(gid->get_ref<const std::string&>(), joined(prefix, "gid"));
  if (!g) return std::unexpected(g.error());
  e.gid = std::move(*g);
  if (e.lid == 0 && e.gid == "0000:0000:0000:0000:0000:0000:0000:0000") {
    return fail(Errc::invalid_argument, "a zero GID with LID 0 addresses nothing", joined(prefix, "gid"));
  }
  if (auto r = read_uint(j, prefix, "gid_index", 0, kRdmaMaxGidIndex, e.gid_index); !r) return std::unexpected(r.error());
  if (auto r = read_uint(j, prefix, "mtu", 256, 4096, e.mtu, true); !r) return std::unexpected(r.error());
  if (mtu_enum_from_bytes(e.mtu) == 0) {
    return fail(Errc::invalid_argument, "must be 256, 512, 1024, 2048 or 4096", joined(prefix, "mtu"));
  }
  if (auto r = read_uint(j, prefix, "rkey", 0, 0xFFFFFFFFULL, e.rkey, true); !r) return std::unexpected(r.error());
  if (auto r = read_uint(j, prefix, "addr", 0, UINT64_MAX, e.addr, true); !r) return std::unexpected(r.error());
  if (auto r = read_uint(j, prefix, "buffer_bytes", 1, kRdmaMaxBufferBytes, e.buffer_bytes, true); !r) {
    return std::unexpected(r.error());
  }
  const std::uint64_t needed = static_cast<std::uint64_t>(e.size) * e.qps.size();
  if (e.buffer_bytes < needed) {
    return fail(Errc::invalid_argument,
                "must hold size x qps = " + std::to_string(needed) + " bytes, got " + std::to_string(e.buffer_bytes),
                joined(prefix, "buffer_bytes"));
  }
  if (e.addr > UINT64_MAX - e.buffer_bytes) {
    return fail(Errc::invalid_argument, "buffer wraps past the end of the address space", joined(prefix, "addr"));
  }
  return e;
}

Result<RdmaOptions> parse_rdma_options(const json& j, std::string_view prefix, bool client) {
  if (!j.is_object()) return fail(Errc::invalid_argument, "must be an object of RDMA options", std::string(prefix));
  auto keys = client ? only_keys(j, {"verb", "size", "iterations", "tx_depth", "qps", "cq_mod", "gid_index",
                                     "margin_ms", "peer"},
                                 prefix)
                     : only_keys(j, {"verb", "size", "tx_depth", "qps", "gid_index"}, prefix);
  if (!keys) return std::unexpected(keys.error());
  RdmaOptions o;
  auto verb = read_verb(j, prefix, RdmaVerb::write, false);
  if (!verb) return std::unexpected(verb.error());
  o.verb = *verb;
  if (auto r = read_uint(j, prefix, "size", 1, kRdmaMaxSize, o.size); !r) return std::unexpected(r.error());
  if (j.contains("iterations")) {
    std::uint64_t n = 0;
    if (auto r = read_uint(j, prefix, "iterations", 1, kRdmaMaxIterations, n); !r) return std::unexpected(r.error());
    o.iterations = n;
  }
  if (auto r = read_uint(j, prefix, "tx_depth", 1, kRdmaMaxTxDepth, o.tx_depth); !r) return std::unexpected(r.error());
  if (auto r = read_uint(j, prefix, "qps", 1, kRdmaMaxQps, o.qps); !r) return std::unexpected(r.error());
  if (auto r = read_uint(j, prefix, "cq_mod", 1, kRdmaMaxTxDepth, o.cq_mod); !r) return std::unexpected(r.error());
  if (j.contains("gid_index")) {
    std::uint32_t g = 0;
    if (auto r = read_uint(j, prefix, "gid_index", 0, kRdmaMaxGidIndex, g); !r) return std::unexpected(r.error());
    o.gid_index = g;
  }
  if (auto r = read_uint(j, prefix, "margin_ms", 0, 600'000, o.margin_ms); !r) return std::unexpected(r.error());
  if (o.cq_mod > o.tx_depth) {
    // perftest signals one WR in cq_mod; with fewer slots than that the queue would fill unsignalled.
    return fail(Errc::invalid_argument,
                "must not exceed tx_depth (" + std::to_string(o.tx_depth) + "): one in cq_mod sends is signalled",
                joined(prefix, "cq_mod"));
  }
  if (static_cast<std::uint64_t>(o.size) * o.qps > kRdmaMaxBufferBytes) {
    return fail(Errc::invalid_argument, "size x qps exceeds " + std::to_string(kRdmaMaxBufferBytes) + " bytes",
                joined(prefix, "size"));
  }
  if (client) {
    const auto peer = j.find("peer");
    if (peer == j.end()) {
      return fail(Errc::invalid_argument, "required: the server's rdma.endpoint (from POST /v1/traffic/servers)",
                  joined(prefix, "peer"));
    }
    auto e = parse_rdma_endpoint(*peer, joined(prefix, "peer"));
    if (!e) return std::unexpected(e.error());
    if (e->verb != o.verb) {
      return fail(Errc::invalid_argument,
                  "the server runs " + std::string(to_string(e->verb)) + ", this run asks " +
                      std::string(to_string(o.verb)),
                  joined(prefix, "verb"));
    }
    if (e->size != o.size) {
      return fail(Errc::invalid_argument,
                  "the server was sized for " + std::to_string(e->size) + "-byte messages, this run asks " +
                      std::to_string(o.size),
                  joined(prefix, "size"));
    }
    if (e->qps.size() != o.qps) {
      return fail(Errc::invalid_argument,
                  "the server has " + std::to_string(e->qps.size()) + " QPs, this run asks " + std::to_string(o.qps),
                  joined(prefix, "qps"));
    }
    o.peer = std::move(*e);
  }
  return o;
}

// ---- JSON ----------------------------------------------------------------------------------

void to_json(json& j, const RdmaQpEndpoint& v) { j = json{{"qpn", v.qpn}, {"psn", v.psn}}; }

void to_json(json& j, const RdmaEndpoint& v) {
  j = json{{"version", v.version}, {"verb", to_string(v.verb)}, {"size", v.size},   {"qps", v.qps},
           {"lid", v.lid},         {"gid", v.gid},              {"gid_index", v.gid_index}, {"mtu", v.mtu},
           {"rkey", v.rkey},       {"addr", v.addr},            {"buffer_bytes", v.buffer_bytes}};
}

void to_json(json& j, const RdmaOptions& v) {
  j = json{{"verb", to_string(v.verb)}, {"size", v.size}, {"tx_depth", v.tx_depth}, {"qps", v.qps}};
  if (v.iterations) j["iterations"] = *v.iterations;
  if (v.gid_index) j["gid_index"] = *v.gid_index;
  if (v.peer) {
    j["cq_mod"] = v.cq_mod;
    j["margin_ms"] = v.margin_ms;
    j["peer"] = *v.peer;
  }
}

void to_json(json& j, const RdmaBandwidth& v) {
  j = json{{"messages", v.messages},
           {"bytes", v.bytes},
           {"first_post_ns", v.first_post_ns},
           {"last_completion_ns", v.last_completion_ns},
           {"average_gbps", v.average_gbps},
           {"peak_gbps", v.peak_gbps ? json(*v.peak_gbps) : json(nullptr)},
           {"message_rate_mpps", v.message_rate_mpps}};
}

void to_json(json& j, const RdmaRunReport& v) {
  j = json{{"device", v.device},
           {"port", v.port},
           {"gid_index", v.gid_index},
           {"gid", v.gid},
           {"gid_type", v.gid_type},
           {"verb", to_string(v.verb)},
           {"size", v.size},
           {"qps", v.qps},
           {"tx_depth", v.tx_depth},
           {"cq_mod", v.cq_mod},
           {"iterations", v.iterations ? json(*v.iterations) : json(nullptr)},
           {"endpoint", v.endpoint ? json(*v.endpoint) : json(nullptr)},
           {"peer_connected", v.peer_connected},
           {"bandwidth", v.bandwidth ? json(*v.bandwidth) : json(nullptr)}};
}

void from_json(const json& j, RdmaBandwidth& v) {
  j.at("messages").get_to(v.messages);
  j.at("bytes").get_to(v.bytes);
  j.at("first_post_ns").get_to(v.first_post_ns);
  j.at("last_completion_ns").get_to(v.last_completion_ns);
  j.at("average_gbps").get_to(v.average_gbps);
  if (const auto it = j.find("peak_gbps"); it != j.end() && !it->is_null()) v.peak_gbps = it->get<double>();
  else v.peak_gbps.reset();
  j.at("message_rate_mpps").get_to(v.message_rate_mpps);
}

void from_json(const json& j, RdmaRunReport& v) {
  j.at("device").get_to(v.device);
  j.at("port").get_to(v.port);
  j.at("gid_index").get_to(v.gid_index);
  j.at("gid").get_to(v.gid);
  j.at("gid_type").get_to(v.gid_type);
  auto verb = parse_rdma_verb(j.at("verb").get<std::string>(), "verb");
  if (!verb) throw json::other_error::create(501, verb.error().message, &j);
  v.verb = *verb;
  j.at("size").get_to(v.size);
  j.at("qps").get_to(v.qps);
  j.at("tx_depth").get_to(v.tx_depth);
  j.at("cq_mod").get_to(v.cq_mod);
  if (const auto it = j.find("iterations"); it != j.end() && !it->is_null()) v.iterations = it->get<std::uint64_t>();
  if (const auto it = j.find("endpoint"); it != j.end() && !it->is_null()) {
    auto e = parse_rdma_endpoint(*it, "endpoint");
    if (!e) throw json::other_error::create(501, e.error().describe(), &j);
    v.endpoint = std::move(*e);
  }
  j.at("peer_connected").get_to(v.peer_connected);
  if (const auto it = j.find("bandwidth"); it != j.end() && !it->is_null()) v.bandwidth = it->get<RdmaBandwidth>();
}

}  // namespace mixnet::wire
