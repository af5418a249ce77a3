#pragma once
// Shared set-up for the emulator's socket tests: an emulator on free loopback ports, and small
// RESTCONF / control API helpers over the test HTTP client.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "tests/support/http_client.hpp"
#include "tests/tools/ocs-emu/tl1_client.hpp"
#include "tools/ocs-emu/emulator.hpp"

namespace mixnet::testing {

inline ocs_emu::EmulatorOptions emu_options(ocs_emu::SwitchingTime t = ocs_emu::SwitchingTime::fixed_ms(0)) {
  ocs_emu::EmulatorOptions o;
  o.switching = t;
  o.serve_calient = true;
  return o;
}

inline std::unique_ptr<ocs_emu::Emulator> start_emu(ocs_emu::EmulatorOptions o) {
  auto e = std::make_unique<ocs_emu::Emulator>(std::move(o));
  auto ok = e->start();
  if (!ok) FAIL("emulator did not start: " << ok.error().describe());
  return e;
}

// "Basic YWRtaW46cm9vdA==" for admin:root.
inline std::string basic_auth(const std::string& user = "admin", const std::string& password = "root") {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(v >> 18) & 63], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return "Basic " + out;
}

inline HttpReply rest(const ocs_emu::Emulator& e, const std::string& method, const std::string& target,
                      const std::string& body = {}, const std::string& auth = basic_auth(),
                      const std::string& content_type = "application/yang-data+json") {
  HttpCall c;
  c.method = method;
  c.target = target;
  c.body = body;
  if (!auth.empty()) c.headers["Authorization"] = auth;
  if (!body.empty()) c.headers["Content-Type"] = content_type;
  return http_request("127.0.0.1", e.rest_port(), c);
}

inline HttpReply control(const ocs_emu::Emulator& e, const std::string& method, const std::string& target,
                         const std::string& body = {}) {
  HttpCall c;
  c.method = method;
  c.target = target;
  c.body = body;
  return http_request("127.0.0.1", e.control_port(), c);
}

inline constexpr const char* kCross = "/api/data/optical-switch:cross-connects";

}  // namespace mixnet::testing
