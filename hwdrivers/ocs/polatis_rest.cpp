#include "hwdrivers/ocs/polatis_rest.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/http/curl.hpp"
#include "hwdrivers/ocs/change_plan.hpp"
#include "hwdrivers/ocs/driver_util.hpp"

namespace mixnet::ocs {

namespace {

constexpr const char* kData = "/data/optical-switch:";

// Sets every option of one request on a handle. The returned headers must outlive the transfer;
// `out` receives the body.
curl::Headers setup(curl::Easy& easy, const SwitchUri& uri, const char* method, const std::string& url,
                    const std::string& body, HttpResult& out) {
  easy.prepare(url, uri.timeout, uri.connect_timeout, out.body);
  easy.set_method(method);
  if (!uri.ca_file.empty()) easy.set_tls({.ca_file = uri.ca_file});
  CURL* c = easy.get();
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(c, CURLOPT_USERNAME, uri.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, uri.password.c_str());
  curl::Headers headers;
  headers.add("Accept: application/yang-data+json, application/json");
  if (!body.empty()) {
    headers.add("Content-Type: application/yang-data+json");
    easy.set_body(body);
  }
  easy.set_headers(headers);
  return headers;
}

Error transport_error(CURLcode rc, const SwitchUri& uri, const std::string& what) {
  return Error{curl::errc_for(rc), what + " on " + uri.host + ":" + std::to_string(uri.port) + ": " + curl_easy_strerror(rc), {}};
}

// Finds "optical-switch:<name>" or "<name>" in an object.
const nlohmann::json* member(const nlohmann::json& j, const std::string& name) {
  if (!j.is_object()) return nullptr;
  if (auto it = j.find("optical-switch:" + name); it != j.end()) return &*it;
  if (auto it = j.find(name); it != j.end()) return &*it;
  return nullptr;
}

Result<int> json_int(const nlohmann::json& j, const char* what) {
  if (j.is_number_integer()) return j.get<int>();
  if (j.is_string()) return parse_int(j.get<std::string>(), what);
  return fail(Errc::protocol, std::string(what) + " is not a number");
}

std::string json_string(const nlohmann::json* j) {
  if (j == nullptr) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number()) return j->dump();
  return {};
}

Result<nlohmann::json> parse_json(const std::string& body, const std::string& what) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return fail(Errc::protocol, what + ": the switch sent a body that is not JSON");
  return j;
}

Result<int> rest_port(const PortId& port) { return port_number(port); }

}  // namespace

Result<std::vector<CrossConnect>> parse_rest_cross_connects(const nlohmann::json& body) {
  const nlohmann::json* container = member(body, "cross-connects");
  if (container == nullptr) return fail(Errc::protocol, "cross-connects: no \"optical-switch:cross-connects\" in the reply");
  std::vector<CrossConnect> out;
  if (container->is_null()) return out;
  const nlohmann::json* list = member(*container, "pair");
  if (list == nullptr) list = member(*container, "pairs");   // older firmware
  if (list == nullptr) return out;                             // an empty container
  if (!list->is_array()) return fail(Errc::protocol, "cross-connects: \"pair\" is not a list");
  for (const auto& p : *list) {
    const auto* in = member(p, "ingress");
    const auto* eg = member(p, "egress");
    if (in == nullptr || eg == nullptr) return fail(Errc::protocol, "cross-connects: a pair without ingress or egress");
    auto a = json_int(*in, "ingress");
    auto b = json_int(*eg, "egress");
    if (!a) return std::unexpected(a.error());
    if (!b) return std::unexpected(b.error());
    out.push_back(CrossConnect{std::to_string(*a), std::to_string(*b), false});
  }
  return out;
}

Error rest_error(long status, const std::string& body, const std::string& what) {
  Errc code = Errc::denied;
  if (status == 401 || status == 403) code = Errc::unauthorized;
  else if (status == 404) code = Errc::not_found;
  else if (status == 409) code = Errc::conflict;
  else if (status >= 500) code = Errc::unavailable;
  std::string msg = what + ": HTTP " + std::to_string(status);
  auto j = nlohmann::json::parse(body, nullptr, false);
  const nlohmann::json* errors = j.is_discarded() ? nullptr : member(j, "errors");
  if (errors == nullptr && !j.is_discarded() && j.is_object()) {
    if (auto it = j.find("ietf-restconf:errors"); it != j.end()) errors = &*it;
  }
  if (errors != nullptr && errors->is_object()) {
    auto it = errors->find("error");
    if (it != errors->end()) {
      const nlohmann::json& e = it->is_array() && !it->empty() ? it->front() : *it;
      const std::string tag = json_string(e.is_object() && e.contains("error-tag") ? &e["error-tag"] : nullptr);
      const std::string text = json_string(e.is_object() && e.contains("error-message") ? &e["error-message"] : nullptr);
      if (!tag.empty()) msg += " " + tag;
      if (!text.empty()) msg += ": " + text;
      return Error{code, msg, {}, Cause::http_status};
    }
  }
  if (!body.empty() && body.size() < 300) msg += ": " + body;
  return Error{code, msg, {}, Cause::http_status};
}

// One handle for the requests sent one at a time (its connection kept alive between them), and a
// multi handle with as many more as the widest parallel batch so far.
struct PolatisRestSwitch::Connections {
  curl::Easy one;
  curl::Multi multi;
  std::vector<curl::Easy> pool;
};

PolatisRestSwitch::PolatisRestSwitch(const SwitchUri& uri) : uri_(uri), http_(std::make_unique<Connections>()) {
  const std::string host = uri.host.find(':') != std::string::npos ? "[" + uri.host + "]" : uri.host;
  base_ = (uri.ca_file.empty() ? "http://" : "https://") + host + ":" + std::to_string(uri.port) + "/api";
}

PolatisRestSwitch::~PolatisRestSwitch() = default;

Result<HttpResult> PolatisRestSwitch::request(const char* method, const std::string& path, const std::string& body) {
  unanswered_sent_ns_ = 0;
  curl::Easy& easy = http_->one;
  if (!easy.valid()) return fail(Errc::internal, "curl_easy_init failed");
  HttpResult out;
  const curl::Headers headers = setup(easy, uri_, method, base_ + path, body, out);
  out.sent_ns = realtime_ns();
  const CURLcode rc = easy.perform();
  out.acked_ns = realtime_ns();
  if (rc != CURLE_OK) {
    if (easy.request_went_out()) unanswered_sent_ns_ = out.sent_ns;
    return std::unexpected(transport_error(rc, uri_, std::string(method) + " " + path));
  }
  out.status = easy.status();
  return out;
}

std::vector<Result<HttpResult>> PolatisRestSwitch::request_parallel(const char* method, const std::vector<std::string>& paths) {
  unanswered_sent_ns_ = 0;
  std::vector<Result<HttpResult>> results;
  curl::Multi& multi = http_->multi;
  std::vector<curl::Easy>& pool = http_->pool;
  if (!multi.valid()) {
    results.assign(paths.size(), fail(Errc::internal, "curl_multi_init failed"));
    return results;
  }
  while (pool.size() < paths.size()) {
    curl::Easy e;
    if (!e.valid()) break;
    pool.push_back(std::move(e));
  }
  CURLM* m = multi.get();
  std::vector<HttpResult> out(paths.size());
  std::vector<curl::Headers> headers(paths.size());
  std::vector<int> codes(paths.size(), -1);
  const std::size_t n = std::min(paths.size(), pool.size());
  const auto sent_ns = realtime_ns();
  for (std::size_t i = 0; i < n; ++i) {
    headers[i] = setup(pool[i], uri_, method, base_ + paths[i], "", out[i]);
    curl_easy_setopt(pool[i].get(), CURLOPT_PRIVATE, reinterpret_cast<char*>(i));
    (void)multi.add(pool[i]);   // one the multi handle refuses never finishes: "deadline passed" below
  }
  // Each transfer has its own CURLOPT_TIMEOUT_MS; the loop's own deadline is a backstop.
  const auto deadline = monotonic_ns() + (uri_.timeout.count() + uri_.connect_timeout.count() + 1000) * 1'000'000;
  int running = static_cast<int>(n);
  while (running > 0 && monotonic_ns() < deadline) {
    if (curl_multi_perform(m, &running) != CURLM_OK) break;
    if (running > 0) curl_multi_poll(m, nullptr, 0, 100, nullptr);
  }
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(m, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    char* priv = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    const auto i = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(priv));
    codes[i] = msg->data.result;
    out[i].acked_ns = realtime_ns();
    out[i].status = pool[i].status();
  }
  for (std::size_t i = 0; i < n; ++i) multi.remove(pool[i]);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string what = std::string(method) + " " + paths[i];
    if (i < n && codes[i] != CURLE_OK && pool[i].request_went_out()) unanswered_sent_ns_ = sent_ns;
    if (i >= n) results.push_back(fail(Errc::internal, what + ": curl_easy_init failed"));
    else if (codes[i] == -1) results.push_back(fail(Errc::timeout, what + ": deadline passed"));
    else if (codes[i] != CURLE_OK) results.push_back(std::unexpected(transport_error(static_cast<CURLcode>(codes[i]), uri_, what)));
    else {
      out[i].sent_ns = sent_ns;
      results.push_back(std::move(out[i]));
    }
  }
  return results;
}

Result<HttpResult> PolatisRestSwitch::call(const char* method, const std::string& path, const std::string& body,
                                           bool idempotent, Timing* timing) {
  auto r = request(method, path, body);
  if (!r && idempotent && is_transport_error(r.error())) {
    spdlog::warn("polatis-rest {}: {}; asking again", uri_.host, r.error().describe());
    note_resend(timing, unanswered_sent_ns_, r.error());
    r = request(method, path, body);
  }
  if (!r) return r;
  if (r->status < 200 || r->status >= 300) return std::unexpected(rest_error(r->status, r->body, std::string(method) + " " + path));
  return r;
}

Result<std::vector<CrossConnect>> PolatisRestSwitch::list_locked(Timing* timing) {
  auto r = call("GET", std::string(kData) + "cross-connects", "", true, timing);
  if (!r) {
    // A switch with no connection may answer 404 for the empty container.
    if (r.error().code == Errc::not_found) return std::vector<CrossConnect>{};
    return std::unexpected(r.error().context("list cross-connects"));
  }
  if (timing) stamp(*timing, r->sent_ns, r->acked_ns);
  auto j = parse_json(r->body, "list cross-connects");
  if (!j) return std::unexpected(j.error());
  return parse_rest_cross_connects(*j);
}

Result<Timed<SwitchInfo>> PolatisRestSwitch::info() {
  std::lock_guard lock(mutex_);
  Timing t;
  auto r = call("GET", std::string(kData) + "product-information", "", true, &t);
  if (!r) return std::unexpected(r.error().context("read product information"));
  stamp(t, r->sent_ns, r->acked_ns);
  auto j = parse_json(r->body, "product-information");
  if (!j) return std::unexpected(j.error());
  const auto* pi = member(*j, "product-information");
  if (pi == nullptr) return fail(Errc::protocol, "product-information: no \"optical-switch:product-information\" in the reply");
  SwitchInfo info;
  info.vendor = json_string(member(*pi, "manufacturer"));
  info.model = json_string(member(*pi, "model-name"));
  info.serial = json_string(member(*pi, "serial-number"));
  info.software_version = json_string(member(*pi, "software-version"));
  // The size is in the model name ("N-VST-48x48-...", "...-24xCC-..."); else count the ports.
  static const std::regex size_re("(\\d+)x(\\d+|CC)");
  std::smatch m;
  if (std::regex_search(info.model, m, size_re)) {
    info.inputs = std::stoi(m[1].str());
    info.any_to_any = m[2].str() == "CC";
    info.outputs = info.any_to_any ? 0 : std::stoi(m[2].str());
  } else {
    auto pc = call("GET", std::string(kData) + "port-config", "", true, &t);
    if (!pc) return std::unexpected(pc.error().context("count ports"));
    stamp(t, pc->sent_ns, pc->acked_ns);
    auto pj = parse_json(pc->body, "port-config");
    if (!pj) return std::unexpected(pj.error());
    const auto* cfg = member(*pj, "port-config");
    const auto* ports = cfg ? member(*cfg, "port") : nullptr;
    const int n = ports && ports->is_array() ? static_cast<int>(ports->size()) : 0;
    info.inputs = n / 2;   // an NxN switch is the common case; the model name did not say
    info.outputs = n - n / 2;
  }
  return Timed<SwitchInfo>{info, t};
}

Result<Timed<std::vector<CrossConnect>>> PolatisRestSwitch::list() {
  std::lock_guard lock(mutex_);
  Timing t;
  auto l = list_locked(&t);
  if (!l) return std::unexpected(l.error());
  return Timed<std::vector<CrossConnect>>{std::move(*l), t};
}

Result<Timed<Done>> PolatisRestSwitch::apply(const ChangeSet& changes) {
  if (auto v = validate(changes); !v) return std::unexpected(v.error());
  for (const auto& c : changes.connect)
    for (const auto& p : {c.from, c.to})
      if (auto n = rest_port(p); !n) return std::unexpected(n.error());
  for (const auto& p : changes.disconnect)
    if (auto n = rest_port(p); !n) return std::unexpected(n.error());

  std::lock_guard lock(mutex_);
  // REST names a connection by its ingress, so read the connections first; the same read makes
  // every attempt (the first and any after a lost request) send only what is still missing.
  Timing t;
  Timing read_timing;
  Result<void> outcome;
  RecoveryBudget budget(changes);
  for (bool first = true; first || budget.next(); first = false) {
    if (!first) {
      spdlog::warn("polatis-rest {}: {}; re-reading the cross-connects (recovery {})", uri_.host,
                   outcome.error().describe(), budget.attempts());
      note_recovery(t, outcome.error());
    }
    // The first read comes before the change; after a lost request it is the read-back that may
    // show the change in place, so it belongs to the operation's span.
    auto current = list_locked(first ? &read_timing : &t);
    if (!current) return std::unexpected(current.error().context("apply"));
    const auto rest = remaining(changes, *current, false);
    if (!first) budget.found(rest);
    // A recovery's read-back that finds nothing left sends nothing: it is the confirmation.
    if (!first && rest.connect.empty() && rest.disconnect.empty()) t.acked_by_read_back = true;
    outcome = {};
    // Every connection through a port to disconnect, each once, deleted in parallel (their order
    // does not matter; all of them finish before any connect is sent).
    std::vector<std::string> deletes;
    for (const auto& port : rest.disconnect)
      for (const auto& c : connections_of(*current, port)) {
        const std::string path = std::string(kData) + "cross-connects/pair=" + c.from;
        if (std::find(deletes.begin(), deletes.end(), path) == deletes.end()) deletes.push_back(path);
      }
    std::vector<Result<HttpResult>> deleted;
    if (deletes.size() == 1) deleted.push_back(request("DELETE", deletes.front(), ""));
    else if (deletes.size() > 1) deleted = request_parallel("DELETE", deletes);
    for (std::size_t i = 0; i < deleted.size() && outcome; ++i) {
      auto& r = deleted[i];
      if (r && (r->status < 200 || r->status >= 300) && r->status != 404)   // 404: gone already
        r = std::unexpected(rest_error(r->status, r->body, "DELETE " + deletes[i]));
      if (!r) {
        if (is_transport_error(r.error())) stamp_unanswered(t, unanswered_sent_ns_);
        outcome = std::unexpected(r.error());
      } else {
        stamp(t, r->sent_ns, r->acked_ns);
      }
    }
    if (outcome && !rest.connect.empty()) {
      nlohmann::json pairs = nlohmann::json::array();
      for (const auto& c : rest.connect) pairs.push_back({{"ingress", *rest_port(c.from)}, {"egress", *rest_port(c.to)}});
      const nlohmann::json body = {{"optical-switch:pair", pairs}};
      auto r = request("POST", std::string(kData) + "cross-connects", body.dump());
      if (!r && is_transport_error(r.error())) stamp_unanswered(t, unanswered_sent_ns_);
      if (r && (r->status < 200 || r->status >= 300))
        r = std::unexpected(rest_error(r->status, r->body, "POST cross-connects"));
      if (!r && !deletes.empty() && !is_transport_error(r.error()))
        r = std::unexpected(r.error().context("the disconnects were applied, the connects were not"));
      if (!r) outcome = std::unexpected(r.error());
      else stamp(t, r->sent_ns, r->acked_ns);
    }
    if (outcome || !is_transport_error(outcome.error())) break;
  }
  if (!outcome) return std::unexpected(outcome.error().context("apply"));
  if (t.sent_ns == 0) t = read_timing;   // nothing was missing: the read is the whole operation
  return Timed<Done>{Done{}, t};
}

Result<Timed<std::vector<PortState>>> PolatisRestSwitch::port_status(const std::vector<PortId>& ports) {
  std::lock_guard lock(mutex_);
  Timing t;
  auto r = call("GET", std::string(kData) + "port-config", "", true, &t);
  if (!r) return std::unexpected(r.error().context("read port-config"));
  stamp(t, r->sent_ns, r->acked_ns);
  auto j = parse_json(r->body, "port-config");
  if (!j) return std::unexpected(j.error());
  const auto* cfg = member(*j, "port-config");
  const auto* list = cfg ? member(*cfg, "port") : nullptr;
  if (list == nullptr || !list->is_array()) return fail(Errc::protocol, "port-config: no port list in the reply");
  auto conns = list_locked(&t);
  if (!conns) return std::unexpected(conns.error());
  std::map<PortId, PortState> by_port;
  for (const auto& p : *list) {
    const auto* id = member(p, "port-id");
    if (id == nullptr) return fail(Errc::protocol, "port-config: a port without port-id");
    auto n = json_int(*id, "port-id");
    if (!n) return std::unexpected(n.error());
    PortState ps;
    ps.port = std::to_string(*n);
    const std::string status = json_string(member(p, "status"));
    if (status == "DISABLED") ps.status = PortStatus::disabled;
    else if (status == "FAILED") ps.status = PortStatus::failed;
    else if (status == "ENABLED" || status.empty()) ps.status = PortStatus::enabled;
    else return fail(Errc::protocol, "port-config: port " + ps.port + " has unknown status \"" + status + "\"");
    ps.label = json_string(member(p, "label"));
    for (const auto& c : *conns) {
      if (c.from == ps.port) ps.connected_to = c.to;
      else if (c.to == ps.port) ps.connected_to = c.from;
    }
    by_port[ps.port] = ps;
  }
  std::vector<PortState> out;
  if (ports.empty()) {
    for (const auto& p : *list) out.push_back(by_port[std::to_string(*json_int(*member(p, "port-id"), "port-id"))]);
  } else {
    for (const auto& p : ports) {
      auto it = by_port.find(p);
      if (it == by_port.end()) return fail(Errc::not_found, "port-config has no port " + p, "port");
      out.push_back(it->second);
    }
  }
  return Timed<std::vector<PortState>>{std::move(out), t};
}

Result<Timed<std::vector<PortPower>>> PolatisRestSwitch::power(const std::vector<PortId>& ports) {
  for (const auto& p : ports)
    if (auto n = rest_port(p); !n) return std::unexpected(n.error());
  std::lock_guard lock(mutex_);
  Timing t;
  auto r = call("GET", std::string(kData) + "opm-power", "", true, &t);
  if (!r) return std::unexpected(r.error().context("read opm-power"));
  stamp(t, r->sent_ns, r->acked_ns);
  auto j = parse_json(r->body, "opm-power");
  if (!j) return std::unexpected(j.error());
  const auto* opm = member(*j, "opm-power");
  const auto* list = opm ? member(*opm, "port") : nullptr;
  if (list == nullptr || !list->is_array()) return fail(Errc::protocol, "opm-power: no port list in the reply");
  std::map<PortId, double> by_port;
  std::vector<PortPower> all;
  for (const auto& p : *list) {
    const auto* id = member(p, "port-id");
    const auto* pw = member(p, "power");
    if (id == nullptr || pw == nullptr) return fail(Errc::protocol, "opm-power: a port without port-id or power");
    auto n = json_int(*id, "port-id");
    if (!n) return std::unexpected(n.error());
    double dbm = 0;
    if (pw->is_number()) dbm = pw->get<double>();
    else if (pw->is_string()) {
      auto d = parse_double(pw->get<std::string>(), "power");
      if (!d) return std::unexpected(d.error());
      dbm = *d;
    } else return fail(Errc::protocol, "opm-power: power of port " + std::to_string(*n) + " is not a number");
    by_port[std::to_string(*n)] = dbm;
    all.push_back(PortPower{std::to_string(*n), dbm});
  }
  std::vector<PortPower> out;
  if (ports.empty()) out = std::move(all);
  for (const auto& p : ports) {
    auto it = by_port.find(p);
    if (it == by_port.end()) return fail(Errc::not_found, "opm-power has no port " + p, "port");
    out.push_back(PortPower{p, it->second});
  }
  return Timed<std::vector<PortPower>>{std::move(out), t};
}

Result<Timed<Done>> PolatisRestSwitch::set_port_enabled(const PortId& port, bool enabled) {
  auto n = rest_port(port);
  if (!n) return std::unexpected(n.error());
  std::lock_guard lock(mutex_);
  const nlohmann::json body = {
      {"optical-switch:port", nlohmann::json::array({{{"port-id", *n}, {"status", enabled ? "ENABLED" : "DISABLED"}}})}};
  // Setting a status is idempotent, so a lost request may be sent again.
  Timing t;
  auto r = call("PATCH", std::string(kData) + "port-config/port=" + std::to_string(*n), body.dump(), true, &t);
  if (!r) return std::unexpected(r.error().context(enabled ? "enable port " + port : "disable port " + port));
  stamp(t, r->sent_ns, r->acked_ns);
  return Timed<Done>{Done{}, t};
}

}  // namespace mixnet::ocs
