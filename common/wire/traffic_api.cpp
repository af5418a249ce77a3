#include "common/wire/traffic_api.hpp"

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include "common/wire/agent_api.hpp"
#include "common/wire/json_fields.hpp"

namespace mixnet::wire {

using nlohmann::json;

namespace {

using fields::as_uint;
using fields::joined;
using fields::only_keys;
using fields::parse_object;
using fields::read_uint;

Result<std::string> read_port(const json& body) {
  const auto it = body.find("port");
  if (it == body.end()) return fail(Errc::invalid_argument, "required: the data port (netdev) to run on", "port");
  if (!it->is_string()) return fail(Errc::invalid_argument, "must be a port name", "port");
  return validate_port_name(it->get_ref<const std::string&>(), "port");
}

Result<std::string> read_transport(const json& body) {
  const auto it = body.find("transport");
  if (it == body.end()) return std::string("tcp");
  if (!it->is_string()) return fail(Errc::invalid_argument, "must be a transport name such as \"tcp\"", "transport");
  return validate_transport(it->get_ref<const std::string&>(), "transport");
}

// The client side reads every timeline option; the server only bins and gaps.
Result<std::optional<TimelineOptions>> read_timeline(const json& body, bool client) {
  const auto it = body.find("timeline");
  if (it == body.end() || it->is_null()) return std::optional<TimelineOptions>{};
  if (it->is_boolean()) {
    if (!it->get<bool>()) return std::optional<TimelineOptions>{};
    return std::optional<TimelineOptions>{TimelineOptions{}};
  }
  if (!it->is_object()) return fail(Errc::invalid_argument, "must be true, false or an object", "timeline");
  const json& t = *it;
  auto keys = client ? only_keys(t, {"bin_us", "gap_min_us", "reconnect_timeout_ms", "stall_timeout_ms", "connect_timeout_ms"},
                                "timeline")
                     : only_keys(t, {"bin_us", "gap_min_us"}, "timeline");
  if (!keys) return std::unexpected(keys.error());
  TimelineOptions o;
  if (auto r = read_uint(t, "timeline", "bin_us", kMinBinUs, kMaxBinUs, o.bin_us); !r) return std::unexpected(r.error());
  if (auto r = read_uint(t, "timeline", "gap_min_us", 0, kMaxTrafficDurationMs * 1000, o.gap_min_us); !r) {
    return std::unexpected(r.error());
  }
  if (client) {
    if (auto r = read_uint(t, "timeline", "reconnect_timeout_ms", 0, kMaxReconnectTimeoutMs, o.reconnect_timeout_ms);
        !r) {
      return std::unexpected(r.error());
    }
    if (auto r = read_uint(t, "timeline", "stall_timeout_ms", kMinStallTimeoutMs, kMaxReconnectTimeoutMs,
                           o.stall_timeout_ms);
        !r) {
      return std::unexpected(r.error());
    }
    if (auto r = read_uint(t, "timeline", "connect_timeout_ms", 0, kMaxReconnectTimeoutMs, o.connect_timeout_ms); !r) {
      return std::unexpected(r.error());
    }
  }
  return std::optional<TimelineOptions>{o};
}

// The bins of a run of duration_ms must fit the bound, and so must its interval reports.
Result<void> check_capacities(std::uint64_t duration_ms, std::uint32_t interval_ms,
                              const std::optional<TimelineOptions>& timeline, const char* duration_field) {
  if (duration_ms / interval_ms > kMaxTrafficIntervals) {
    return fail(Errc::invalid_argument,
                "duration / interval exceeds " + std::to_string(kMaxTrafficIntervals) + " reports; raise interval_ms",
                "interval_ms");
  }
  if (timeline) {
    const std::uint64_t bins = duration_ms * 1000 / timeline->bin_us + 1;
    if (bins > kMaxTimelineBins) {
      return fail(Errc::invalid_argument,
                  std::string(duration_field) + " / bin width needs " + std::to_string(bins) + " bins, more than " +
                      std::to_string(kMaxTimelineBins) + "; widen the bins or shorten the run",
                  "timeline.bin_us");
    }
  }
  return {};
}

// The "rdma" object: only with transport "rdma", and required by an RDMA client (its peer).
Result<std::optional<RdmaOptions>> read_rdma(const json& body, const std::string& transport, bool client) {
  const auto it = body.find("rdma");
  if (transport != "rdma") {
    if (it != body.end()) return fail(Errc::invalid_argument, "only with transport \"rdma\"", "rdma");
    return std::optional<RdmaOptions>{};
  }
  if (it == body.end()) {
    if (client) return fail(Errc::invalid_argument, "required: {\"peer\": the server's rdma.endpoint, ...}", "rdma");
    return std::optional<RdmaOptions>{RdmaOptions{}};
  }
  auto o = parse_rdma_options(*it, "rdma", client);
  if (!o) return std::unexpected(o.error());
  return std::optional<RdmaOptions>{std::move(*o)};
}

// "sink": a TCP server's only (an RDMA server's adapter writes into registered memory and the
// CPU never touches the payload, so there is nothing to choose).
Result<TcpSink> read_sink(const json& body, const std::string& transport) {
  const auto it = body.find("sink");
  if (it == body.end()) return kDefaultTcpSink;
  if (transport != "tcp") return fail(Errc::invalid_argument, "only with transport \"tcp\"", "sink");
  return parse_tcp_sink(*it, "sink");
}

}  // namespace

std::string_view to_string(TcpSink sink) { return sink == TcpSink::copy ? "copy" : "discard"; }

Result<TcpSink> parse_tcp_sink(const json& value, std::string_view field) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text == "discard") return TcpSink::discard;
    if (text == "copy") return TcpSink::copy;
  }
  return fail(Errc::invalid_argument, "must be \"discard\" or \"copy\"", std::string(field));
}

Result<std::string> validate_transport(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > kMaxTransportName) {
    return fail(Errc::invalid_argument, "must be 1.." + std::to_string(kMaxTransportName) + " characters, e.g. \"tcp\"",
                std::string(field));
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return fail(Errc::invalid_argument, "must be lower-case letters, digits, '_' or '-', e.g. \"tcp\"",
                  std::string(field));
    }
  }
  return std::string(name);
}

Result<std::string> validate_run_id(std::string_view id, std::string_view field) {
  const bool ok = id.size() > 3 && id.size() <= 23 && id.substr(0, 3) == "tr-" &&
                  id.find_first_not_of("0123456789", 3) == std::string_view::npos;
  if (!ok) return fail(Errc::invalid_argument, "not a traffic run id (such as \"tr-1\")", std::string(field));
  return std::string(id);
}

Result<std::string> validate_run_secret(std::string_view text, std::string_view field) {
  const bool ok = text.size() == kRunSecretHexDigits &&
                  text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (!ok) {
    return fail(Errc::invalid_argument,
                "must be the " + std::to_string(kRunSecretHexDigits) +
                    " lower-case hex digits of the server's \"secret\" (from POST /v1/traffic/servers)",
                std::string(field));
  }
  return std::string(text);
}

Result<TrafficServerRequest> parse_traffic_server_request(const json& body) {
  if (!body.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  if (auto r = only_keys(body, {"port", "transport", "tcp_port", "duration_ms", "accept_timeout_ms", "interval_ms",
                                "timeline", "rdma", "sink"});
      !r) {
    return std::unexpected(r.error());
  }
  TrafficServerRequest req;
  auto port = read_port(body);
  if (!port) return std::unexpected(port.error());
  req.port = std::move(*port);
  auto transport = read_transport(body);
  if (!transport) return std::unexpected(transport.error());
  req.transport = std::move(*transport);
  if (auto r = read_uint(body, {}, "tcp_port", 0, 65535, req.tcp_port); !r) return std::unexpected(r.error());
  if (auto r = read_uint(body, {}, "duration_ms", 1, kMaxTrafficDurationMs, req.duration_ms); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = read_uint(body, {}, "accept_timeout_ms", 1, kMaxTrafficDurationMs, req.accept_timeout_ms); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = read_uint(body, {}, "interval_ms", kMinTrafficIntervalMs, kMaxTrafficIntervalMs, req.interval_ms); !r) {
    return std::unexpected(r.error());
  }
  auto timeline = read_timeline(body, /*client=*/false);
  if (!timeline) return std::unexpected(timeline.error());
  req.timeline = *timeline;
  auto rdma = read_rdma(body, req.transport, /*client=*/false);
  if (!rdma) return std::unexpected(rdma.error());
  req.rdma = std::move(*rdma);
  auto sink = read_sink(body, req.transport);
  if (!sink) return std::unexpected(sink.error());
  req.sink = *sink;
  if (auto r = check_capacities(req.duration_ms, req.interval_ms, req.timeline, "duration_ms"); !r) {
    return std::unexpected(r.error());
  }
  return req;
}

Result<TrafficRunRequest> parse_traffic_run_request(const json& body) {
  if (!body.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  if (auto r = only_keys(body, {"port", "transport", "peer", "peer_tcp_port", "streams", "duration_ms", "bytes", "rate_mbps",
                                "interval_ms", "timeline", "rdma", "start_at_ns", "secret"});
      !r) {
    return std::unexpected(r.error());
  }
  TrafficRunRequest req;
  auto port = read_port(body);
  if (!port) return std::unexpected(port.error());
  req.port = std::move(*port);
  auto transport = read_transport(body);
  if (!transport) return std::unexpected(transport.error());
  req.transport = std::move(*transport);

  const auto peer = body.find("peer");
  if (peer == body.end()) return fail(Errc::invalid_argument, "required: the server's address", "peer");
  if (!peer->is_string()) return fail(Errc::invalid_argument, "must be an IP address string", "peer");
  {
    const auto& text = peer->get_ref<const std::string&>();
    char canonical[INET6_ADDRSTRLEN] = {};
    in6_addr a6{};
    in_addr a4{};
    if (text.find('\0') == std::string::npos && inet_pton(AF_INET, text.c_str(), &a4) == 1) {
      inet_ntop(AF_INET, &a4, canonical, sizeof canonical);
      const std::uint32_t host = ntohl(a4.s_addr);
      if (host == 0 || (host >> 28) == 0xE || host == 0xFFFFFFFFu) {
        return fail(Errc::invalid_argument, "must be a unicast address", "peer");
      }
    } else if (text.find('\0') == std::string::npos && inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
      inet_ntop(AF_INET6, &a6, canonical, sizeof canonical);
      if (IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_MULTICAST(&a6)) {
        return fail(Errc::invalid_argument, "must be a unicast address", "peer");
      }
    } else {
      return fail(Errc::invalid_argument, "not an IPv4 or IPv6 address", "peer");
    }
    req.peer = canonical;
  }
  const bool rdma = req.transport == "rdma";
  if (rdma) {
    // The RDMA exchange goes through the API (rdma.peer), and rdma.qps is the parallelism.
    for (const char* key : {"peer_tcp_port", "streams", "bytes", "rate_mbps", "secret"}) {
      if (body.contains(key)) {
        return fail(Errc::invalid_argument,
                    std::string("not used by transport \"rdma\"") +
                        (std::string_view(key) == "streams" ? " (give rdma.qps)"
                         : std::string_view(key) == "bytes" ? " (give rdma.iterations)"
                         : std::string_view(key) == "rate_mbps" ? " (RDMA runs are not paced)"
                         : std::string_view(key) == "secret"    ? " (its endpoints are exchanged through this API)"
                                                             : " (the server's rdma.endpoint goes in rdma.peer)"),
                    key);
      }
    }
  } else {
    if (body.find("peer_tcp_port") == body.end()) {
      return fail(Errc::invalid_argument, "required: the server's TCP port (from POST /v1/traffic/servers)",
                  "peer_tcp_port");
    }
    // The server admits only the client that presents its secret: there is no run without one.
    const auto secret = body.find("secret");
    if (secret == body.end()) {
      return fail(Errc::invalid_argument, "required: the server's \"secret\" (from POST /v1/traffic/servers)", "secret");
    }
    if (!secret->is_string()) return fail(Errc::invalid_argument, "must be a string of hex digits", "secret");
    auto valid = validate_run_secret(secret->get_ref<const std::string&>(), "secret");
    if (!valid) return std::unexpected(valid.error());
    req.secret = std::move(*valid);
  }
  if (auto r = read_uint(body, {}, "peer_tcp_port", 1, 65535, req.peer_tcp_port); !r) return std::unexpected(r.error());
  if (auto r = read_uint(body, {}, "streams", 1, kMaxTrafficStreams, req.streams); !r) return std::unexpected(r.error());
  if (auto r = read_uint(body, {}, "interval_ms", kMinTrafficIntervalMs, kMaxTrafficIntervalMs, req.interval_ms); !r) {
    return std::unexpected(r.error());
  }
  if (body.contains("duration_ms")) {
    std::uint64_t d = 0;
    if (auto r = read_uint(body, {}, "duration_ms", 1, kMaxTrafficDurationMs, d); !r) return std::unexpected(r.error());
    req.duration_ms = d;
  }
  if (body.contains("rate_mbps")) {
    std::uint64_t r = 0;
    if (auto ok = read_uint(body, {}, "rate_mbps", 1, kMaxTrafficRateMbps, r); !ok) return std::unexpected(ok.error());
    req.rate_mbps = r;
  }
  if (body.contains("bytes")) {
    std::uint64_t b = 0;
    if (auto r = read_uint(body, {}, "bytes", 1, kMaxTrafficBytes, b); !r) return std::unexpected(r.error());
    req.bytes = b;
  }
  auto rdma_options = read_rdma(body, req.transport, /*client=*/true);
  if (!rdma_options) return std::unexpected(rdma_options.error());
  req.rdma = std::move(*rdma_options);
  if (rdma) {
    // perftest: -n (iterations, default 5000) or -D (duration), not both.
    if (req.duration_ms && req.rdma->iterations) {
      return fail(Errc::invalid_argument, "give duration_ms or rdma.iterations, not both", "rdma.iterations");
    }
    if (!req.duration_ms && !req.rdma->iterations) req.rdma->iterations = kRdmaDefaultIterations;
    if (req.duration_ms && req.rdma->margin_ms * 2 >= *req.duration_ms) {
      return fail(Errc::invalid_argument,
                  "the margin is cut from both ends: 2 x margin_ms must be shorter than duration_ms (" +
                      std::to_string(*req.duration_ms) + ")",
                  "rdma.margin_ms");
    }
  }
  if (req.duration_ms && req.bytes) return fail(Errc::invalid_argument, "give duration_ms or bytes, not both", "bytes");
  if (!req.duration_ms && !req.bytes && !rdma) {
    return fail(Errc::invalid_argument, "required: duration_ms or bytes", "duration_ms");
  }
  if (req.bytes && req.bytes < req.streams) {
    return fail(Errc::invalid_argument, "must be at least one byte per stream", "bytes");
  }
  auto timeline = read_timeline(body, /*client=*/true);
  if (!timeline) return std::unexpected(timeline.error());
  req.timeline = *timeline;
  if (req.timeline && req.bytes) {
    return fail(Errc::invalid_argument, "timeline mode is a continuous stream: give duration_ms, not bytes", "bytes");
  }
  if (body.contains("start_at_ns")) {
    std::uint64_t at = 0;
    if (auto r = read_uint(body, {}, "start_at_ns", 1, static_cast<std::uint64_t>(INT64_MAX), at); !r) {
      return std::unexpected(r.error());
    }
    if (rdma) return fail(Errc::invalid_argument, "not used by transport \"rdma\" (its runs start on the peer exchange)", "start_at_ns");
    if (req.timeline) {
      return fail(Errc::invalid_argument, "a timeline run starts at once and counts its duration from then: give one or the other",
                  "start_at_ns");
    }
    req.start_at_ns = static_cast<std::int64_t>(at);
  }
  // A byte-count run is bounded by the agent's longest run too; size its reports for that.
  const std::uint64_t horizon = req.duration_ms ? *req.duration_ms : kMaxTrafficDurationMs;
  if (req.duration_ms) {
    if (auto r = check_capacities(horizon, req.interval_ms, req.timeline, "duration_ms"); !r) {
      return std::unexpected(r.error());
    }
  }
  return req;
}

Result<TrafficServerRequest> parse_traffic_server_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  return parse_traffic_server_request(*j);
}

Result<TrafficRunRequest> parse_traffic_run_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  return parse_traffic_run_request(*j);
}

Result<TrafficPeerRequest> parse_traffic_peer_body(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  if (auto r = only_keys(*j, {"endpoint"}); !r) return std::unexpected(r.error());
  const auto it = j->find("endpoint");
  if (it == j->end()) return fail(Errc::invalid_argument, "required: the other side's rdma.endpoint", "endpoint");
  auto e = parse_rdma_endpoint(*it, "endpoint");
  if (!e) return std::unexpected(e.error());
  return TrafficPeerRequest{.endpoint = std::move(*e)};
}

Result<TrafficRunQuery> parse_traffic_run_query(const std::map<std::string, std::string>& query) {
  TrafficRunQuery q;
  for (const auto& [key, value] : query) {
    if (key == "wait_ms") {
      auto v = fields::query_number(key, value, kMaxWaitMs);
      if (!v) return std::unexpected(v.error());
      q.wait_ms = *v;
      continue;
    }
    if (key != "bins") {
      return fail(Errc::invalid_argument, "unknown query parameter (accepted: bins, wait_ms)", fields::shown_key(key));
    }
    if (value == "0" || value == "false") q.bins = false;
    else if (value == "1" || value == "true") q.bins = true;
    else return fail(Errc::invalid_argument, "must be 0 or 1", key);
  }
  return q;
}

// ---- to_json -------------------------------------------------------------------------------

void to_json(json& j, const TimelineOptions& v) {
  j = json{{"bin_us", v.bin_us},
           {"gap_min_us", v.gap_min_us},
           {"reconnect_timeout_ms", v.reconnect_timeout_ms},
           {"stall_timeout_ms", v.stall_timeout_ms},
           {"connect_timeout_ms", v.connect_timeout_ms}};
}

void to_json(json& j, const TrafficServerRequest& v) {
  j = json{{"port", v.port},
           {"transport", v.transport},
           {"tcp_port", v.tcp_port},
           {"duration_ms", v.duration_ms},
           {"accept_timeout_ms", v.accept_timeout_ms},
           {"interval_ms", v.interval_ms}};
  if (v.timeline) j["timeline"] = json{{"bin_us", v.timeline->bin_us}, {"gap_min_us", v.timeline->gap_min_us}};
  if (v.rdma) j["rdma"] = *v.rdma;
  if (v.transport == "tcp") j["sink"] = to_string(v.sink);
}

void to_json(json& j, const TrafficRunRequest& v) {
  j = json{{"port", v.port},   {"transport", v.transport},        {"peer", v.peer},
           {"peer_tcp_port", v.peer_tcp_port}, {"streams", v.streams}, {"interval_ms", v.interval_ms}};
  if (v.duration_ms) j["duration_ms"] = *v.duration_ms;
  if (v.bytes) j["bytes"] = *v.bytes;
  if (v.rate_mbps) j["rate_mbps"] = *v.rate_mbps;
  if (v.timeline) j["timeline"] = *v.timeline;
  if (v.rdma) j["rdma"] = *v.rdma;
  if (v.start_at_ns) j["start_at_ns"] = *v.start_at_ns;
  if (!v.secret.empty()) j["secret"] = v.secret;
}

void to_json(json& j, const TrafficInterval& v) {
  j = json{{"start_ns", v.start_ns}, {"duration_ns", v.duration_ns}, {"bytes", v.bytes}, {"gbps", v.gbps}};
}

void to_json(json& j, const TrafficStreamReport& v) {
  j = json{{"index", v.index}, {"bytes", v.bytes}, {"gbps", v.gbps}, {"connections", v.connections}};
  if (!v.error.empty()) j["error"] = v.error;
}

void to_json(json& j, const TrafficGap& v) {
  j = json{{"start_ns", v.start_ns}, {"end_ns", v.end_ns}, {"bins", v.bins}};
}

void to_json(json& j, const TrafficTimeline& v) {
  j = json{{"start_ns", v.start_ns},   {"bin_us", v.bin_us},
           {"bin_count", v.bin_count}, {"capacity", v.capacity},
           {"overflow_bytes", v.overflow_bytes}, {"bins", v.bins},
           {"gaps", v.gaps}};
}

void to_json(json& j, const TrafficConnectionEvent& v) {
  j = json{{"time_ns", v.time_ns}, {"stream", v.stream}, {"kind", v.kind}};
  if (!v.detail.empty()) j["detail"] = v.detail;
}

void to_json(json& j, const TrafficRunReport& v) {
  j = json{{"id", v.id},
           {"role", v.role},
           {"transport", v.transport},
           {"port", v.port},
           {"local_address", v.local_address},
           {"tcp_port", v.tcp_port},
           {"peer", v.peer},
           {"state", v.state},
           {"created_ns", v.created_ns},
           {"start_ns", v.start_ns},
           {"end_ns", v.end_ns},
           {"streams", v.streams},
           {"bytes", v.bytes},
           {"bytes_confirmed", v.bytes_confirmed ? json(*v.bytes_confirmed) : json(nullptr)},
           {"seconds", v.seconds},
           {"gbps", v.gbps},
           {"reconnects", v.reconnects},
           {"intervals", v.intervals},
           {"per_stream", v.per_stream},
           {"events", v.events},
           {"errors", v.errors},
           {"timeline", v.timeline ? json(*v.timeline) : json(nullptr)}};
  if (v.rdma) j["rdma"] = *v.rdma;
  if (!v.sink.empty()) j["sink"] = v.sink;
  if (v.role == "server") j["rejected_connections"] = v.rejected_connections;
  if (v.counters_before || v.counters_after) {
    j["counters"] = {{"before", v.counters_before ? json(*v.counters_before) : json(nullptr)},
                     {"after", v.counters_after ? json(*v.counters_after) : json(nullptr)}};
  }
}

void to_json(json& j, const TrafficRunList& v) { j = json{{"runs", v.runs}}; }

void to_json(json& j, const TrafficServerStarted& v) {
  to_json(j, v.report);
  if (!v.secret.empty()) j["secret"] = v.secret;
}

// ---- from_json -----------------------------------------------------------------------------

void from_json(const json& j, TrafficInterval& v) {
  j.at("start_ns").get_to(v.start_ns);
  j.at("duration_ns").get_to(v.duration_ns);
  j.at("bytes").get_to(v.bytes);
  j.at("gbps").get_to(v.gbps);
}

void from_json(const json& j, TrafficStreamReport& v) {
  j.at("index").get_to(v.index);
  j.at("bytes").get_to(v.bytes);
  j.at("gbps").get_to(v.gbps);
  j.at("connections").get_to(v.connections);
  v.error = j.value("error", std::string{});
}

void from_json(const json& j, TrafficGap& v) {
  j.at("start_ns").get_to(v.start_ns);
  j.at("end_ns").get_to(v.end_ns);
  j.at("bins").get_to(v.bins);
}

void from_json(const json& j, TrafficTimeline& v) {
  j.at("start_ns").get_to(v.start_ns);
  j.at("bin_us").get_to(v.bin_us);
  j.at("bin_count").get_to(v.bin_count);
  j.at("capacity").get_to(v.capacity);
  j.at("overflow_bytes").get_to(v.overflow_bytes);
  j.at("bins").get_to(v.bins);
  j.at("gaps").get_to(v.gaps);
}

void from_json(const json& j, TrafficConnectionEvent& v) {
  j.at("time_ns").get_to(v.time_ns);
  j.at("stream").get_to(v.stream);
  j.at("kind").get_to(v.kind);
  v.detail = j.value("detail", std::string{});
}

void from_json(const json& j, TrafficRunReport& v) {
  j.at("id").get_to(v.id);
  j.at("role").get_to(v.role);
  j.at("transport").get_to(v.transport);
  j.at("port").get_to(v.port);
  j.at("local_address").get_to(v.local_address);
  j.at("tcp_port").get_to(v.tcp_port);
  j.at("peer").get_to(v.peer);
  j.at("state").get_to(v.state);
  j.at("created_ns").get_to(v.created_ns);
  j.at("start_ns").get_to(v.start_ns);
  j.at("end_ns").get_to(v.end_ns);
  j.at("streams").get_to(v.streams);
  j.at("bytes").get_to(v.bytes);
  if (const auto it = j.find("bytes_confirmed"); it != j.end() && !it->is_null()) {
    v.bytes_confirmed = it->get<std::uint64_t>();
  } else {
    v.bytes_confirmed.reset();
  }
  j.at("seconds").get_to(v.seconds);
  j.at("gbps").get_to(v.gbps);
  j.at("reconnects").get_to(v.reconnects);
  j.at("intervals").get_to(v.intervals);
  j.at("per_stream").get_to(v.per_stream);
  j.at("events").get_to(v.events);
  j.at("errors").get_to(v.errors);
  if (const auto it = j.find("timeline"); it != j.end() && !it->is_null()) {
    v.timeline = it->get<TrafficTimeline>();
  } else {
    v.timeline.reset();
  }
  if (const auto it = j.find("rdma"); it != j.end() && !it->is_null()) {
    v.rdma = it->get<RdmaRunReport>();
  } else {
    v.rdma.reset();
  }
  v.sink = j.value("sink", std::string{});
  v.rejected_connections = j.value("rejected_connections", std::uint64_t{0});
}

void from_json(const json& j, TrafficRunList& v) { j.at("runs").get_to(v.runs); }

Result<TrafficRunReport> decode_traffic_run_report(const json& j) {
  TrafficRunReport r;
  try {
    r = j.get<TrafficRunReport>();
  } catch (const json::exception& e) {
    return fail(Errc::protocol, std::string("malformed traffic run report: ") + e.what(), "traffic run");
  }
  // The counters are read as strictly as GET /v1/counters' reply: a figure the health check
  // compares must not be half understood.
  const auto counters = j.find("counters");
  if (counters == j.end() || counters->is_null()) return r;
  if (!counters->is_object()) return fail(Errc::protocol, "must be an object", "counters");
  for (const auto& [key, out] : {std::pair{"before", &r.counters_before}, std::pair{"after", &r.counters_after}}) {
    const auto it = counters->find(key);
    if (it == counters->end() || it->is_null()) continue;
    auto reading = parse_counters_reply(*it);
    if (!reading) return std::unexpected(reading.error().context(std::string("counters.") + key));
    *out = std::move(*reading);
  }
  return r;
}

Result<TrafficServerStarted> decode_traffic_server_started(const json& j) {
  auto report = decode_traffic_run_report(j);
  if (!report) return std::unexpected(report.error());
  TrafficServerStarted started{.report = std::move(*report), .secret = {}};
  const auto secret = j.find("secret");
  if (started.report.transport != "tcp") {
    if (secret != j.end()) return fail(Errc::protocol, "a " + started.report.transport + " server has no secret", "secret");
    return started;
  }
  if (secret == j.end() || !secret->is_string()) {
    return fail(Errc::protocol, "a TCP server's start answer must carry its client's secret", "secret");
  }
  auto valid = validate_run_secret(secret->get_ref<const std::string&>(), "secret");
  if (!valid) return fail(Errc::protocol, valid.error().message, "secret");
  started.secret = std::move(*valid);
  return started;
}

}  // namespace mixnet::wire
