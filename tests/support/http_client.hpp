#pragma once
// A blocking HTTP/1.1 client for tests: one request per call, a deadline on every call.
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mixnet::testing {

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body); }
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::optional<std::string> token;  // sent as "Authorization: Bearer <token>"
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{5000};
};

// Throws std::runtime_error on connection failure or timeout (a test failure, with context).
HttpReply http_request(const std::string& host, unsigned short port, const HttpCall& call);

}  // namespace mixnet::testing
