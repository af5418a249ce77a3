// NetnsPlane's answers on the emulator's control API: GET /v1/plane, GET /v1/plane/events,
// POST and DELETE /v1/plane/faults, GET, PUT and DELETE /v1/plane/line-rate. Errors have the control API's shape
// {"error":{"code","message","field"}}.
#include <fmt/format.h>

#include "common/http/target.hpp"
#include "common/wire/ground_truth.hpp"
#include "tools/lab/plane/netns_plane.hpp"

namespace mixnet::lab {

using nlohmann::json;
using ocs_emu::PlaneControlReply;

namespace {

PlaneControlReply error_reply(const Error& e) {
  const unsigned status = e.code == Errc::not_found ? 404 : e.code == Errc::conflict ? 409 : e.code == Errc::invalid_argument ? 400 : 500;
  json err{{"code", std::string(to_string(e.code))}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  return PlaneControlReply{status, json{{"error", err}}};
}

PlaneControlReply not_allowed(std::string_view method, const std::string& path) {
  return PlaneControlReply{405, json{{"error",
                                      {{"code", "invalid_argument"},
                                       {"message", fmt::format("method {} not allowed on {}", method, path)},
                                       {"field", "method"}}}}};
}

}  // namespace

PlaneControlReply NetnsPlane::control(std::string_view method, std::string_view target, std::string_view body) {
  auto t = http::parse_target(target);
  if (!t) return error_reply(t.error());
  std::string path = t->path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();

  if (path == "/v1/plane") {
    if (method != "GET") return not_allowed(method, path);
    return {200, describe()};
  }
  if (path == "/v1/plane/events") {
    if (method != "GET") return not_allowed(method, path);
    auto after = http::query_uint(*t, "after", 0, UINT64_MAX);
    if (!after) return error_reply(after.error());
    auto limit = http::query_uint(*t, "limit", 1000, 10'000);
    if (!limit) return error_reply(limit.error());
    wire::PlaneEventsPage page{events(*after, *limit), *after};
    if (!page.events.empty()) page.next_after = page.events.back().seq;
    return {200, json(page)};
  }
  if (path == "/v1/plane/faults") {
    if (method == "DELETE") {
      std::optional<std::string> end;
      if (const auto it = t->query.find("end"); it != t->query.end()) end = it->second;
      if (auto ok = clear_faults(end); !ok) return error_reply(ok.error());
      return {200, json{{"ok", true}}};
    }
    if (method != "POST") return not_allowed(method, path);
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
      return error_reply(Error{Errc::invalid_argument, "body: not a JSON object", "body"});
    }
    if (auto ok = apply_fault(request); !ok) return error_reply(ok.error());
    return {200, json{{"ok", true}}};
  }
  if (path == "/v1/plane/line-rate") {
    if (method == "PUT") {
      const json request = json::parse(body, nullptr, false);
      if (request.is_discarded() || !request.is_object()) {
        return error_reply(Error{Errc::invalid_argument, "body: not a JSON object", "body"});
      }
      if (auto ok = put_line_rate(request); !ok) return error_reply(ok.error());
    } else if (method == "DELETE") {
      if (auto ok = set_line_rate(std::nullopt); !ok) return error_reply(ok.error());
    } else if (method != "GET") {
      return not_allowed(method, path);
    }
    const auto rate = line_rate();
    return {200, json{{"mbit", rate ? json(*rate) : json(nullptr)}}};
  }
  return error_reply(Error{Errc::not_found, "no such resource: " + path, "path"});
}

}  // namespace mixnet::lab
