#pragma once
// One HTTP request with a deadline (libcurl): how mixnet-lab asks agents and the emulator.
#include <chrono>
#include <optional>
#include <string>

#include "common/http/tls_client_files.hpp"
#include "common/result.hpp"

namespace mixnet::lab {

struct HttpResponse {
  long status = 0;
  std::string body;
};

// Errors: timeout, unavailable (no connection) or io when no answer came; any HTTP status is a
// successful call. An https:// URL is verified against `tls` (the lab's CA) and presents its client
// certificate; a certificate that does not verify is an io error naming the CA file.
Result<HttpResponse> http_call(const std::string& method, const std::string& url, const std::optional<std::string>& token,
                               const std::string& body, std::chrono::milliseconds timeout,
                               const TlsClientFiles& tls = {});

}  // namespace mixnet::lab
