#include "tools/ocs-emu/restconf_service.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <set>

#include "common/http/target.hpp"
#include "common/text.hpp"

namespace mixnet::ocs_emu {

using nlohmann::json;

namespace {

constexpr std::string_view kData = "/api/data";
constexpr std::string_view kCross = "/api/data/optical-switch:cross-connects";
constexpr std::string_view kPower = "/api/data/optical-switch:opm-power";
constexpr std::string_view kPorts = "/api/data/optical-switch:port-config";
constexpr std::string_view kProduct = "/api/data/optical-switch:product-information";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

RestResponse error(unsigned status, std::string_view tag, std::string_view message) {
  RestResponse r;
  r.status = status;
  r.body = restconf_error_body(tag, message);
  return r;
}

RestResponse restconf_rejected(const Rejection& r) {
  switch (r.reason) {
    case Reject::syntax:
    case Reject::out_of_range:
    case Reject::wrong_side: return error(400, "invalid-value", r.message);
    case Reject::in_use: return error(409, "in-use", r.message);
    case Reject::port_failed: return error(409, "resource-denied", r.message);
    case Reject::exists: return error(409, "data-exists", r.message);
    case Reject::not_found: return error(404, "invalid-value", r.message);
  }
  return error(500, "operation-failed", r.message);
}

RestResponse no_content(std::uint64_t batch = 0) {
  RestResponse r;
  r.status = 204;
  r.content_type.clear();
  r.batch = batch;
  return r;
}

RestResponse ok_json(const json& body) {
  RestResponse r;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

// A port number from JSON: an integer, or a string of digits (some clients quote uint32).
std::optional<int> json_port(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > 1'000'000) return std::nullopt;
      return static_cast<int>(u);
    }
    const auto i = v.get<std::int64_t>();
    if (i < -1'000'000 || i > 1'000'000) return std::nullopt;
    return static_cast<int>(i);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    int p = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), p);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

const json* member(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  for (const std::string& key : {"optical-switch:" + std::string(name), std::string(name)}) {
    if (const auto it = obj.find(key); it != obj.end()) return &*it;
  }
  return nullptr;
}

class RestconfHandler {
 public:
  RestconfHandler(SwitchModel& model, const RestRequest& req, Now now) : model_(model), req_(req), now_(now) {}
  RestResponse run();

 private:
  Result<json> body() const {
    if (req_.body.empty()) return fail(Errc::invalid_argument, "the request needs a JSON body");
    auto j = json::parse(req_.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, "the body is not a JSON object");
    return j;
  }
  ModelResult<int> key_port(std::string_view text) const {
    int p = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
      return std::unexpected(Rejection{Reject::syntax, "'" + std::string(text.substr(0, 32)) + "' is not a port number"});
    }
    if (!model_.valid_port(p)) {
      return std::unexpected(Rejection{Reject::out_of_range, fmt::format("port {} is out of range 1..{}", p, model_.port_count())});
    }
    return p;
  }
  // The pairs of a body: {"optical-switch:pair":[...]} (or "pairs", or one object), optionally
  // wrapped in {"optical-switch:cross-connects":{...}}.
  ModelResult<std::vector<Connection>> pairs(const json& j, bool allow_container) const;
  ModelResult<std::vector<std::pair<int, json>>> port_items(const json& j) const;

  RestResponse cross_connects();
  RestResponse one_pair(std::string_view key);
  RestResponse power(std::optional<std::string_view> key);
  RestResponse port_config(std::optional<std::string_view> key);
  RestResponse product();
  RestResponse not_allowed(std::string_view allowed) {
    auto r = error(405, "operation-not-supported", "method " + req_.method + " is not allowed here");
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  }
  json pair_json(const Connection& c) const { return json{{"ingress", c.from}, {"egress", c.to}}; }
  json port_power_json(int p) { return json{{"port-id", p}, {"power", model_.power_dbm(p)}}; }
  json port_config_json(int p) const {
    const auto v = model_.port_view(p);
    return json{{"port-id", p}, {"status", std::string(to_string(v.status))}, {"label", v.label}};
  }
  ChangeRequest change_request() const {
    ChangeRequest r;
    r.source = "rest";
    r.command = req_.method + " " + path_;
    return r;
  }
  RestResponse applied(const ModelResult<Batch>& b, unsigned status) {
    if (!b) return restconf_rejected(b.error());
    RestResponse r = no_content(b->id);
    r.status = status;
    return r;
  }

  SwitchModel& model_;
  const RestRequest& req_;
  Now now_;
  std::string path_;
};

ModelResult<std::vector<Connection>> RestconfHandler::pairs(const json& j, bool allow_container) const {
  const json* root = &j;
  if (allow_container) {
    if (const json* c = member(j, "cross-connects")) root = c;
  }
  const json* list = member(*root, "pair");
  if (!list) list = member(*root, "pairs");
  if (!list) return std::unexpected(Rejection{Reject::syntax, "the body has no \"optical-switch:pair\" list"});
  std::vector<const json*> items;
  if (list->is_array()) {
    for (const auto& item : *list) items.push_back(&item);
  } else if (list->is_object()) {
    items.push_back(list);
  } else {
    return std::unexpected(Rejection{Reject::syntax, "\"pair\" must be a list of {ingress, egress}"});
  }
  if (items.size() > static_cast<std::size_t>(model_.port_count())) {
    return std::unexpected(Rejection{Reject::syntax, "more pairs than ports"});
  }
  std::vector<Connection> out;
  for (const json* item : items) {
    if (!item->is_object()) return std::unexpected(Rejection{Reject::syntax, "each pair must be an object"});
    const auto in = item->contains("ingress") ? json_port(item->at("ingress")) : std::nullopt;
    const auto eg = item->contains("egress") ? json_port(item->at("egress")) : std::nullopt;
    if (!in || !eg) return std::unexpected(Rejection{Reject::syntax, "each pair needs integer \"ingress\" and \"egress\""});
    out.push_back(Connection{*in, *eg, false});
  }
  return out;
}

RestResponse RestconfHandler::cross_connects() {
  const std::string& m = req_.method;
  if (m == "GET") {
    json list = json::array();
    for (const auto& c : model_.connections()) list.push_back(pair_json(c));
    return ok_json(json{{"optical-switch:cross-connects", json{{"pair", list}}}});
  }
  if (m == "DELETE") {
    auto req = change_request();
    for (const auto& e : model_.entries()) req.disconnect.push_back(e.conn.from);
    return applied(model_.apply(req, now_), 204);
  }
  if (m == "POST" || m == "PUT") {
    auto j = body();
    if (!j) return error(400, "malformed-message", j.error().message);
    auto p = pairs(*j, m == "PUT");
    if (!p) return restconf_rejected(p.error());
    auto req = change_request();
    if (m == "POST") {
      if (p->empty()) return error(400, "invalid-value", "POST needs at least one pair");
      req.connect = *p;
      auto r = applied(model_.apply(req, now_), 201);
      if (r.status == 201) r.headers.emplace_back("Location", fmt::format("{}/pair={}", kCross, p->front().from));
      return r;
    }
    // PUT replaces the whole list: connections that stay are left alone, the rest move.
    std::set<std::pair<int, int>> wanted;
    for (const auto& c : *p) wanted.insert({c.from, c.to});
    for (const auto& e : model_.entries()) {
      if (!e.active || !wanted.contains({e.conn.from, e.conn.to})) req.disconnect.push_back(e.conn.from);
    }
    for (const auto& c : *p) {
      const auto e = model_.entry_of(c.from);
      if (e && e->active && e->conn.from == c.from && e->conn.to == c.to) continue;
      req.connect.push_back(c);
    }
    return applied(model_.apply(req, now_), 204);
  }
  return not_allowed("GET, POST, PUT, DELETE");
}

RestResponse RestconfHandler::one_pair(std::string_view key) {
  auto port = key_port(key);
  if (!port) return restconf_rejected(port.error());
  auto existing = model_.entry_of(*port);
  const bool any = model_.mode() == SwitchMode::any_to_any;
  if (existing && (!existing->active || (!any && existing->conn.from != *port))) existing.reset();
  const std::string& m = req_.method;
  if (m == "GET") {
    if (!existing) return error(404, "invalid-value", fmt::format("no cross-connect with ingress {}", *port));
    return ok_json(json{{"optical-switch:pair", json::array({pair_json(existing->conn)})}});
  }
  if (m == "DELETE") {
    if (!existing) return error(404, "invalid-value", fmt::format("no cross-connect with ingress {}", *port));
    auto req = change_request();
    req.disconnect.push_back(*port);
    return applied(model_.apply(req, now_), 204);
  }
  if (m == "PUT") {
    auto j = body();
    if (!j) return error(400, "malformed-message", j.error().message);
    auto p = pairs(*j, false);
    if (!p) return restconf_rejected(p.error());
    if (p->size() != 1) return error(400, "invalid-value", "PUT on a pair needs exactly one pair");
    const Connection c = p->front();
    if (c.from != *port) {
      return error(400, "invalid-value", fmt::format("the body's ingress {} does not match the key {}", c.from, *port));
    }
    auto req = change_request();
    if (existing) {
      if (existing->conn.from == c.from && existing->conn.to == c.to) return no_content();
      req.disconnect.push_back(*port);
    }
    req.connect.push_back(c);
    return applied(model_.apply(req, now_), existing ? 204 : 201);
  }
  return not_allowed("GET, PUT, DELETE");
}

RestResponse RestconfHandler::power(std::optional<std::string_view> key) {
  if (req_.method != "GET") return not_allowed("GET");
  if (key) {
    auto port = key_port(*key);
    if (!port) return restconf_rejected(port.error());
    return ok_json(json{{"optical-switch:port", json::array({port_power_json(*port)})}});
  }
  json list = json::array();
  for (int p = 1; p <= model_.port_count(); ++p) list.push_back(port_power_json(p));
  return ok_json(json{{"optical-switch:opm-power", json{{"port", list}}}});
}

ModelResult<std::vector<std::pair<int, json>>> RestconfHandler::port_items(const json& j) const {
  const json* root = &j;
  if (const json* c = member(j, "port-config")) root = c;
  const json* list = member(*root, "port");
  if (!list) return std::unexpected(Rejection{Reject::syntax, "the body has no \"optical-switch:port\" list"});
  std::vector<const json*> items;
  if (list->is_array()) {
    for (const auto& item : *list) items.push_back(&item);
  } else if (list->is_object()) {
    items.push_back(list);
  } else {
    return std::unexpected(Rejection{Reject::syntax, "\"port\" must be a list"});
  }
  if (items.size() > static_cast<std::size_t>(model_.port_count())) {
    return std::unexpected(Rejection{Reject::syntax, "more ports than the switch has"});
  }
  std::vector<std::pair<int, json>> out;
  for (const json* item : items) {
    if (!item->is_object()) return std::unexpected(Rejection{Reject::syntax, "each port must be an object"});
    const auto id = item->contains("port-id") ? json_port(item->at("port-id")) : std::nullopt;
    if (!id) return std::unexpected(Rejection{Reject::syntax, "each port needs an integer \"port-id\""});
    if (!model_.valid_port(*id)) {
      return std::unexpected(Rejection{Reject::out_of_range, fmt::format("port {} is out of range 1..{}", *id, model_.port_count())});
    }
    if (item->contains("status")) {
      const auto& s = item->at("status");
      const std::string v = s.is_string() ? lower(s.get_ref<const std::string&>()) : "";
      if (v != "enabled" && v != "disabled") {
        return std::unexpected(Rejection{Reject::syntax, "status must be ENABLED or DISABLED (FAILED is not settable)"});
      }
    }
    if (item->contains("label") && (!item->at("label").is_string() || item->at("label").get_ref<const std::string&>().size() > 64)) {
      return std::unexpected(Rejection{Reject::syntax, "label must be a string of at most 64 characters"});
    }
    out.emplace_back(*id, *item);
  }
  return out;
}

RestResponse RestconfHandler::port_config(std::optional<std::string_view> key) {
  std::optional<int> port;
  if (key) {
    auto p = key_port(*key);
    if (!p) return restconf_rejected(p.error());
    port = *p;
  }
  const std::string& m = req_.method;
  if (m == "GET") {
    if (port) return ok_json(json{{"optical-switch:port", json::array({port_config_json(*port)})}});
    json list = json::array();
    for (int p = 1; p <= model_.port_count(); ++p) list.push_back(port_config_json(p));
    return ok_json(json{{"optical-switch:port-config", json{{"port", list}}}});
  }
  if (m != "PUT" && m != "PATCH") return not_allowed(port ? "GET, PUT, PATCH" : "GET, PUT, PATCH");
  auto j = body();
  if (!j) return error(400, "malformed-message", j.error().message);
  auto items = port_items(*j);
  if (!items) return restconf_rejected(items.error());
  if (port && (items->size() != 1 || items->front().first != *port)) {
    return error(400, "invalid-value", fmt::format("the body must hold exactly port {}", *port));
  }
  for (const auto& [p, item] : *items) {
    if (item.contains("status")) {
      const bool closed = lower(item.at("status").get_ref<const std::string&>()) == "disabled";
      if (auto ok = model_.set_shutter({p}, closed, now_); !ok) return restconf_rejected(ok.error());
    }
    if (item.contains("label")) {
      if (auto ok = model_.set_label(p, item.at("label").get<std::string>()); !ok) return restconf_rejected(ok.error());
    }
  }
  return no_content();
}

RestResponse RestconfHandler::product() {
  if (req_.method != "GET") return not_allowed("GET");
  const auto& o = model_.options();
  const std::string model = o.model.empty() ? fmt::format("N-VST-{}-EMU", model_.size_text()) : o.model;
  return ok_json(json{{"optical-switch:product-information",
                       json{{"manufacturer", o.vendor},
                            {"model-name", model},
                            {"serial-number", o.serial},
                            {"software-version", o.software_version}}}});
}

RestResponse RestconfHandler::run() {
  if (!basic_auth_matches(req_.authorization, model_.options().user, model_.options().password)) {
    auto r = error(401, "access-denied", "missing or wrong user name or password");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"restconf\"");
    return r;
  }
  ++model_.counters.rest_requests;
  auto target = mixnet::http::parse_target(req_.target);
  if (!target) return error(400, "invalid-value", target.error().message);
  path_ = target->path;
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();

  if (!req_.body.empty() || req_.method == "POST" || req_.method == "PUT" || req_.method == "PATCH") {
    const std::string ct = lower(trim(req_.content_type.substr(0, req_.content_type.find(';')), " \t"));
    if (!ct.empty() && ct != kYangJson && ct != "application/json") {
      return error(415, "invalid-value", "media type must be application/yang-data+json or application/json");
    }
  }

  if (path_ == "/api") {
    if (req_.method != "GET") return not_allowed("GET");
    return ok_json(json{{"ietf-restconf:restconf",
                         json{{"data", json::object()}, {"operations", json::object()},
                              {"yang-library-version", "2016-06-21"}}}});
  }
  const std::string_view path = path_;
  auto keyed = [&](std::string_view base, std::string_view key_name) -> std::optional<std::string_view> {
    const std::string prefix = std::string(base) + "/" + std::string(key_name) + "=";
    if (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix) return path.substr(prefix.size());
    return std::nullopt;
  };
  if (path == kCross) return cross_connects();
  if (const auto k = keyed(kCross, "pair")) return one_pair(*k);
  if (const auto k = keyed(kCross, "pairs")) return one_pair(*k);
  if (path == kPower) return power(std::nullopt);
  if (const auto k = keyed(kPower, "port")) return power(*k);
  if (path == kPorts) return port_config(std::nullopt);
  if (const auto k = keyed(kPorts, "port")) return port_config(*k);
  if (path == kProduct) return product();
  if (path == kData) {
    if (req_.method != "GET") return not_allowed("GET");
    json list = json::array();
    for (const auto& c : model_.connections()) list.push_back(pair_json(c));
    return ok_json(json{{"ietf-restconf:data", json{{"optical-switch:cross-connects", json{{"pair", list}}}}}});
  }
  return error(404, "invalid-value", "no such resource: " + path_);
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  std::size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    const int v = b64_value(in[i]);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFu);
    }
  }
  for (; i < in.size(); ++i) {
    if (in[i] != '=') return std::nullopt;
  }
  return out;
}

}  // namespace

RestResponse handle_restconf(SwitchModel& model, const RestRequest& request, Now now) {
  return RestconfHandler(model, request, now).run();
}

std::string restconf_error_body(std::string_view tag, std::string_view message) {
  json e{{"error-type", "application"}, {"error-tag", std::string(tag)}, {"error-message", std::string(message)}};
  return json{{"ietf-restconf:errors", json{{"error", json::array({e})}}}}.dump(-1, ' ', false,
                                                                                  json::error_handler_t::replace);
}

bool basic_auth_matches(std::string_view header, std::string_view user, std::string_view password) {
  constexpr std::string_view prefix = "Basic ";
  if (header.size() < prefix.size() || lower(header.substr(0, prefix.size())) != "basic ") return false;
  const auto decoded = base64_decode(trim(header.substr(prefix.size()), " \t"));
  if (!decoded) return false;
  const std::string expected = std::string(user) + ":" + std::string(password);
  // Constant time over the expected credentials, whatever was sent.
  unsigned char diff = decoded->size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < decoded->size() ? static_cast<unsigned char>((*decoded)[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

}  // namespace mixnet::ocs_emu
