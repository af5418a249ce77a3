#include "coordinator/agents/agent_errors.hpp"

namespace mixnet::coord {

Errc agent_error_code(std::string_view code) {
  if (code == "invalid_argument") return Errc::invalid_argument;
  if (code == "not_found") return Errc::not_found;
  if (code == "conflict") return Errc::conflict;
  if (code == "unauthorized") return Errc::unauthorized;
  if (code == "payload_too_large") return Errc::payload_too_large;
  if (code == "timeout") return Errc::timeout;
  if (code == "io") return Errc::io;
  if (code == "unavailable") return Errc::unavailable;
  return Errc::internal;
}

Result<nlohmann::json> interpret_agent_reply(const std::string& host, const std::string& what, const HttpOutcome& outcome) {
  const std::string prefix = host + ": ";
  if (!outcome) return std::unexpected(outcome.error().context(host));
  const HttpResponse& r = *outcome;
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status >= 200 && r.status < 300) {
    if (body.is_discarded()) {
      return fail(Errc::protocol, prefix + what + ": HTTP " + std::to_string(r.status) + " with a body that is not JSON");
    }
    return body;
  }
  std::string msg = prefix + what + ": HTTP " + std::to_string(r.status);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const auto& e = body["error"];
    const std::string code = e.value("code", std::string{});
    const std::string text = e.value("message", std::string{});
    const std::string field = e.value("field", std::string{});
    Errc errc = agent_error_code(code);
    if (r.status == 401) errc = Errc::unauthorized;
    msg += " " + code + ": ";
    if (!field.empty() && text.find(field) == std::string::npos) msg += field + ": ";
    msg += text;
    return fail(errc, Cause::http_status, msg, field);
  }
  if (body.is_object() && body.contains("status") && body["status"].is_string()) {
    msg += ": status " + body["status"].get<std::string>();   // /v1/health when degraded
  } else if (!r.body.empty()) {
    msg += ": " + r.body.substr(0, 200);
  }
  Errc errc = Errc::protocol;
  if (r.status == 401) errc = Errc::unauthorized;
  else if (r.status == 404) errc = Errc::not_found;
  else if (r.status >= 500) errc = Errc::unavailable;
  return fail(errc, Cause::http_status, msg);
}

}  // namespace mixnet::coord
