#include "tools/lab/emulator_control.hpp"

#include "tools/lab/http_call.hpp"

namespace mixnet::lab {

using namespace std::chrono_literals;
using nlohmann::json;

Result<json> emulator_control(const RunningLab& lab, const RunningSwitch& sw, const std::string& method,
                              const std::string& target, const json& body) {
  auto r = http_call(method, sw.control_url + target, lab.token, body.is_null() ? "" : body.dump(), 10s);
  if (!r) return fail(r.error().code, "the emulator of " + sw.name + " did not answer: " + r.error().message);
  if (r->status != 200) {
    return fail(Errc::unavailable, "the emulator of " + sw.name + " refused " + method + " " + target + " (HTTP " +
                                       std::to_string(r->status) + "): " + r->body);
  }
  auto parsed = json::parse(r->body, nullptr, false);
  if (parsed.is_discarded()) return fail(Errc::io, "the emulator's answer to " + method + " " + target + " is not JSON");
  return parsed;
}

}  // namespace mixnet::lab
