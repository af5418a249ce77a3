#include "tools/lab/http_call.hpp"

#include "common/http/curl.hpp"

namespace mixnet::lab {

Result<HttpResponse> http_call(const std::string& method, const std::string& url, const std::optional<std::string>& token,
                               const std::string& body, std::chrono::milliseconds timeout, const TlsClientFiles& tls) {
  curl::Easy easy;
  if (!easy.valid()) return fail(Errc::internal, "curl_easy_init failed");
  HttpResponse out;
  easy.prepare(url, timeout, timeout, out.body);
  easy.set_method(method);
  curl_easy_setopt(easy.get(), CURLOPT_NOPROXY, "*");  // lab addresses are local: never via a proxy
  easy.set_tls(tls);
  curl::Headers headers;
  if (token) headers.add("Authorization: Bearer " + *token);
  if (!body.empty()) {
    headers.add("Content-Type: application/json");
    easy.set_body(body);
  }
  if (!headers.empty()) easy.set_headers(headers);
  const CURLcode rc = easy.perform();
  if (rc == CURLE_OPERATION_TIMEDOUT) return fail(Errc::timeout, method + " " + url + ": no answer in time");
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
    return fail(Errc::io, method + " " + url + ": " + curl_easy_strerror(rc) + " (checked against " +
                              (tls.ca_file.empty() ? std::string("the system's CA store") : tls.ca_file) + ")");
  }
  if (rc != CURLE_OK) return fail(curl::errc_for(rc), method + " " + url + ": " + curl_easy_strerror(rc));
  out.status = easy.status();
  return out;
}

}  // namespace mixnet::lab
