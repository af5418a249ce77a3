#include "tools/ocs-emu/control_service.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "common/http/target.hpp"
#include "common/wire/ground_truth.hpp"

namespace mixnet::ocs_emu {

using nlohmann::json;

namespace {

ControlResponse error(unsigned status, std::string_view code, std::string message, std::string field = {}) {
  json e{{"code", std::string(code)}, {"message", std::move(message)}};
  if (!field.empty()) e["field"] = std::move(field);
  return ControlResponse{status, json{{"error", e}}};
}

ControlResponse error(const Error& e) {
  const unsigned status = e.code == Errc::not_found ? 404 : e.code == Errc::conflict ? 409 : 400;
  return error(status, to_string(e.code), e.message, e.field);
}

ControlResponse control_rejected(const Rejection& r) {
  switch (r.reason) {
    case Reject::not_found: return error(404, "not_found", r.message);
    case Reject::in_use:
    case Reject::exists:
    case Reject::port_failed: return error(409, "conflict", r.message);
    default: return error(400, "invalid_argument", r.message);
  }
}

Result<json> parse_body(const std::string& body) {
  if (body.empty()) return fail(Errc::invalid_argument, "the request needs a JSON object body", "body");
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, "the body is not a JSON object", "body");
  return j;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> number(const json& j) {
  if (!j.is_number()) return std::nullopt;
  const double v = j.get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

// "/v1/faults/ports/5" -> {"v1","faults","ports","5"}
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string_view rest = path;
  while (!rest.empty()) {
    if (rest.front() == '/') {
      rest.remove_prefix(1);
      continue;
    }
    const auto slash = rest.find('/');
    out.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash);
  }
  return out;
}

}  // namespace

bool is_plane_route(const std::string& target) {
  const std::string_view path = std::string_view(target).substr(0, target.find('?'));
  constexpr std::string_view kPlane = "/v1/plane";
  return path.starts_with(kPlane) && (path.size() == kPlane.size() || path[kPlane.size()] == '/');
}

ControlResponse handle_plane_control(PhysicalPlane* plane, const std::string& method, const std::string& target,
                                     const std::string& body) {
  static NullPlane none;
  PlaneControlReply r = (plane != nullptr ? plane : &none)->control(method, target, body);
  return ControlResponse{r.status, std::move(r.body)};
}

json to_json(const PortView& v) {
  json j{{"port", v.port},
         {"is_input", v.is_input},
         {"status", std::string(to_string(v.status))},
         {"shutter_closed", v.shutter_closed},
         {"failed", v.failed},
         {"connected_to", v.connected_to ? json(*v.connected_to) : json(nullptr)},
         {"input_dbm", v.input_dbm ? json(*v.input_dbm) : json(nullptr)},
         {"extra_loss_db", v.extra_loss_db},
         {"label", v.label}};
  return j;
}

json faults_json(const SwitchModel& model) {
  json failed = json::array();
  json weak = json::object();
  for (int p = 1; p <= model.port_count(); ++p) {
    const auto v = model.port_view(p);
    if (v.failed) failed.push_back(p);
    if (v.extra_loss_db > 0) weak[std::to_string(p)] = v.extra_loss_db;
  }
  json drop = nullptr;
  if (const auto& d = model.drop_session()) {
    drop = json{{"when", std::string(to_string(d->when))}, {"verb", d->verb}, {"count", d->count}};
  }
  return json{{"failed_ports", failed},
              {"weak_ports", weak},
              {"reply_delay_ms", model.reply_delay().count()},
              {"drop_session", drop}};
}

json state_json(SwitchModel& model) {
  json ports = json::array();
  for (int p = 1; p <= model.port_count(); ++p) {
    json j = to_json(model.port_view(p));
    j["power_dbm"] = model.power_dbm(p);
    ports.push_back(std::move(j));
  }
  json conns = json::array();
  for (const auto& e : model.entries()) {
    conns.push_back(json{{"from", e.conn.from},
                         {"to", e.conn.to},
                         {"bidirectional", e.conn.bidirectional},
                         {"active", e.active},
                         {"group", e.group},
                         {"type", e.conn_type}});
  }
  const auto& c = model.counters;
  return json{{"size", model.size_text()},
              {"mode", model.mode() == SwitchMode::any_to_any ? "any-to-any" : "nxm"},
              {"inputs", model.inputs()},
              {"outputs", model.outputs()},
              {"switching_time", model.switching_time().describe()},
              {"connections", conns},
              {"ports", ports},
              {"faults", faults_json(model)},
              {"batches_in_flight", model.batches_in_flight()},
              {"last_change_id", model.last_record_id()},
              {"counters", json{{"tl1_commands", c.tl1_commands},
                                {"tl1_denied", c.tl1_denied},
                                {"rest_requests", c.rest_requests},
                                {"sessions_dropped", c.sessions_dropped},
                                {"sessions_open", c.sessions_open}}}};
}

ControlResponse handle_control(SwitchModel& model, const std::string& method, const std::string& target,
                               const std::string& body, Now now) {
  auto t = mixnet::http::parse_target(target);
  if (!t) return error(t.error());
  const auto seg = segments(t->path);
  if (seg.empty() || seg[0] != "v1") return error(404, "not_found", "no such resource: " + t->path, "path");
  const std::size_t n = seg.size();
  auto is = [&](std::initializer_list<std::string_view> want) {
    if (want.size() != n) return false;
    std::size_t i = 0;
    for (auto w : want) {
      if (w != "*" && seg[i] != w) return false;
      ++i;
    }
    return true;
  };
  auto port_arg = [&](const std::string& s) -> Result<int> {
    const auto p = parse_int(s);
    if (!p || !model.valid_port(*p)) {
      return fail(Errc::invalid_argument, fmt::format("port must be 1..{}", model.port_count()), "port");
    }
    return *p;
  };
  auto bad_method = [&]() { return error(405, "invalid_argument", "method " + method + " not allowed on " + t->path, "method"); };

  if (is({"v1", "health"})) {
    if (method != "GET") return bad_method();
    return {200, json{{"ok", true}}};
  }
  if (is({"v1", "state"})) {
    if (method != "GET") return bad_method();
    return {200, state_json(model)};
  }
  if (is({"v1", "changes"})) {
    if (method == "DELETE") {
      model.clear_records();
      return {200, json{{"cleared", true}}};
    }
    if (method != "GET") return bad_method();
    auto after = mixnet::http::query_uint(*t, "after", 0, UINT64_MAX);
    if (!after) return error(after.error());
    auto limit = mixnet::http::query_uint(*t, "limit", 10'000, 100'000);
    if (!limit) return error(limit.error());
    return {200, json(wire::ChangesPage{model.records_since(*after, *limit), model.last_record_id()})};
  }
  if (is({"v1", "connections"})) {
    if (method == "GET") return {200, state_json(model)["connections"]};
    if (method != "PUT") return bad_method();
    auto j = parse_body(body);
    if (!j) return error(j.error());
    if (!j->contains("connections") || !j->at("connections").is_array()) {
      return error(400, "invalid_argument", "needs \"connections\": [{\"from\":1,\"to\":17}, ...]", "connections");
    }
    std::vector<Connection> conns;
    for (const auto& c : j->at("connections")) {
      if (!c.is_object() || !c.contains("from") || !c.contains("to") || !c["from"].is_number_integer() ||
          !c["to"].is_number_integer()) {
        return error(400, "invalid_argument", "each connection needs integer from and to", "connections");
      }
      const auto from = c["from"].get<std::int64_t>();
      const auto to = c["to"].get<std::int64_t>();
      if (from < 0 || from > 100'000 || to < 0 || to > 100'000) {
        return error(400, "invalid_argument", "port out of range", "connections");
      }
      conns.push_back(Connection{static_cast<int>(from), static_cast<int>(to), false});
      if (conns.size() > static_cast<std::size_t>(model.port_count())) {
        return error(400, "invalid_argument", "more connections than ports", "connections");
      }
    }
    if (auto ok = model.preset(conns, now); !ok) return control_rejected(ok.error());
    return {200, state_json(model)["connections"]};
  }
  if (is({"v1", "faults"})) {
    if (method == "DELETE") {
      model.clear_faults(now);
      return {200, faults_json(model)};
    }
    if (method != "GET") return bad_method();
    return {200, faults_json(model)};
  }
  if (is({"v1", "faults", "ports", "*"})) {
    if (method != "PUT") return bad_method();
    auto p = port_arg(seg[3]);
    if (!p) return error(p.error());
    auto j = parse_body(body);
    if (!j) return error(j.error());
    if (j->contains("failed")) {
      if (!j->at("failed").is_boolean()) return error(400, "invalid_argument", "must be true or false", "failed");
    }
    std::optional<double> extra;
    if (j->contains("extra_loss_db")) {
      extra = number(j->at("extra_loss_db"));
      if (!extra) return error(400, "invalid_argument", "must be a number of dB", "extra_loss_db");
    }
    if (extra) {
      if (auto ok = model.set_port_extra_loss(*p, *extra); !ok) return control_rejected(ok.error());
    }
    if (j->contains("failed")) {
      if (auto ok = model.set_port_failed(*p, j->at("failed").get<bool>(), now); !ok) return control_rejected(ok.error());
    }
    return {200, to_json(model.port_view(*p))};
  }
  if (is({"v1", "faults", "reply-delay"})) {
    if (method != "PUT") return bad_method();
    auto j = parse_body(body);
    if (!j) return error(j.error());
    const auto ms = j->contains("ms") ? number(j->at("ms")) : std::nullopt;
    if (!ms || *ms < 0 || *ms > 600'000) return error(400, "invalid_argument", "must be 0..600000", "ms");
    model.set_reply_delay(std::chrono::milliseconds(static_cast<std::int64_t>(*ms)));
    return {200, faults_json(model)};
  }
  if (is({"v1", "faults", "drop-session"})) {
    if (method == "DELETE") {
      DropSessionFault off;
      off.count = 0;
      model.arm_drop_session(off);
      return {200, faults_json(model)};
    }
    if (method != "PUT") return bad_method();
    auto j = parse_body(body);
    if (!j) return error(j.error());
    std::string spec = "after-apply";
    if (j->contains("when")) {
      if (!j->at("when").is_string()) return error(400, "invalid_argument", "must be a string", "when");
      spec = j->at("when").get<std::string>();
    }
    if (j->contains("verb")) {
      if (!j->at("verb").is_string()) return error(400, "invalid_argument", "must be a string", "verb");
      spec += ":" + j->at("verb").get<std::string>();
    } else {
      spec += ":";
    }
    if (j->contains("count")) {
      if (!j->at("count").is_number_integer()) return error(400, "invalid_argument", "must be an integer", "count");
      spec += ":" + std::to_string(j->at("count").get<std::int64_t>());
    }
    auto f = DropSessionFault::parse(spec);
    if (!f) return error(f.error());
    model.arm_drop_session(*f);
    return {200, faults_json(model)};
  }
  if (is({"v1", "ports", "*", "input-power"})) {
    if (method != "PUT") return bad_method();
    auto p = port_arg(seg[2]);
    if (!p) return error(p.error());
    auto j = parse_body(body);
    if (!j) return error(j.error());
    if (!j->contains("dbm")) return error(400, "invalid_argument", "needs \"dbm\": a number or null", "dbm");
    std::optional<double> dbm;
    if (!j->at("dbm").is_null()) {
      dbm = number(j->at("dbm"));
      if (!dbm) return error(400, "invalid_argument", "must be a number or null", "dbm");
    }
    if (auto ok = model.set_input_power(*p, dbm); !ok) return control_rejected(ok.error());
    return {200, to_json(model.port_view(*p))};
  }
  if (is({"v1", "switching-time"})) {
    if (method == "GET") return {200, json{{"spec", model.switching_time().describe()}}};
    if (method != "PUT") return bad_method();
    auto j = parse_body(body);
    if (!j) return error(j.error());
    if (!j->contains("spec") || !j->at("spec").is_string()) {
      return error(400, "invalid_argument", "needs \"spec\": e.g. \"uniform:10:25\"", "spec");
    }
    auto s = SwitchingTime::parse(j->at("spec").get<std::string>());
    if (!s) return error(s.error());
    if (auto ok = model.set_switching_time(*s); !ok) return control_rejected(ok.error());
    return {200, json{{"spec", model.switching_time().describe()}}};
  }
  return error(404, "not_found", "no such resource: " + t->path, "path");
}

}  // namespace mixnet::ocs_emu
