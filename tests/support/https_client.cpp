#include "tests/support/https_client.hpp"

#include <cctype>
#include <stdexcept>

#include "common/http/curl.hpp"

namespace mixnet::testing {

namespace {

// "Name: value\r\n" into the reply's lower-cased header map (the status line has no colon).
std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    (*headers)[name] = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  }
  return size * count;
}

}  // namespace

HttpReply https_request(const std::string& base_url, const TlsClientFiles& tls, const HttpCall& call) {
  curl::Easy easy;
  if (!easy.valid()) throw std::runtime_error("curl_easy_init failed");
  HttpReply reply;
  const std::string url = base_url + call.target;
  easy.prepare(url, call.timeout, call.timeout, reply.body);
  easy.set_method(call.method);
  easy.set_tls(tls);
  curl_easy_setopt(easy.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, on_header_line);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &reply.headers);
  curl::Headers headers;
  headers.add("Expect:");
  if (call.token) headers.add("Authorization: Bearer " + *call.token);
  if (!call.body.empty()) {
    headers.add("Content-Type: application/json");
    easy.set_body(call.body);
  }
  for (const auto& [k, v] : call.headers) headers.add(k + ": " + v);  // the caller's headers win
  easy.set_headers(headers);
  if (const CURLcode rc = easy.perform(); rc != CURLE_OK) {
    throw std::runtime_error(call.method + " " + url + ": " + curl_easy_strerror(rc) +
                             (tls.ca_file.empty() ? "" : " (CA " + tls.ca_file + ")"));
  }
  reply.status = static_cast<unsigned>(easy.status());
  return reply;
}

}  // namespace mixnet::testing
