#pragma once
// Polatis RESTCONF request handling for the emulator, without sockets: a request (method, target,
// headers, body) goes in, a response (and the batch to wait for) comes out. The emulator's HTTP
// routes and the fuzz target call exactly this.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tools/ocs-emu/switch_model.hpp"

namespace mixnet::ocs_emu {

inline constexpr std::string_view kYangJson = "application/yang-data+json";

struct RestRequest {
  std::string method;          // "GET", "POST", ...
  std::string target;          // "/api/data/optical-switch:cross-connects/pair=1"
  std::string content_type;
  std::string accept;
  std::string authorization;   // the Authorization header
  std::string body;
};

struct RestResponse {
  unsigned status = 200;
  std::string content_type = std::string(kYangJson);
  std::string body;            // empty for 204
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t batch = 0;     // non-zero: send once this batch has settled
};

// The model must be locked by the caller.
RestResponse handle_restconf(SwitchModel& model, const RestRequest& request, Now now);

// The RESTCONF error body: {"ietf-restconf:errors":{"error":[{"error-type":"application",
// "error-tag":TAG,"error-message":MESSAGE}]}}.
std::string restconf_error_body(std::string_view tag, std::string_view message);

// Decodes "Basic base64(user:password)"; false on anything else.
bool basic_auth_matches(std::string_view header, std::string_view user, std::string_view password);

}  // namespace mixnet::ocs_emu
