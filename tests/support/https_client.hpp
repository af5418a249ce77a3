#pragma once
// The tests' HTTP client over HTTPS: http_client.hpp's HttpCall sent with libcurl (the Beast client
// speaks no TLS), the server verified against a CA file, a client certificate presented when named.
#include <string>

#include "common/http/tls_client_files.hpp"
#include "tests/support/http_client.hpp"

namespace mixnet::testing {

// `base_url`: "https://ADDR:PORT" (http:// works too: then `tls` is unused). Throws
// std::runtime_error when no reply came (a refused certificate included), with libcurl's reason.
HttpReply https_request(const std::string& base_url, const TlsClientFiles& tls, const HttpCall& call);

}  // namespace mixnet::testing
