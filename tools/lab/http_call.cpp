#include "tools/lab/http_call.hpp"

#include <curl/curl.h>
#include <memory>
#include <mutex>

namespace mixnet::lab {

namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * count > (8u << 20)) return 0;  // 8 MiB is more than any answer we expect
  body->append(data, size * count);
  return size * count;
}

}  // namespace

Result<HttpResponse> http_call(const std::string& method, const std::string& url, const std::optional<std::string>& token,
                               const std::string& body, std::chrono::milliseconds timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), &curl_easy_cleanup);
  if (!c) return fail(Errc::internal, "curl_easy_init failed");
  HttpResponse out;
  curl_slist* headers = nullptr;
  std::string auth;
  if (token) {
    auth = "Authorization: Bearer " + *token;
    headers = curl_slist_append(headers, auth.c_str());
  }
  if (!body.empty()) headers = curl_slist_append(headers, "Content-Type: application/json");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(headers, &curl_slist_free_all);
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_NOPROXY, "*");  // lab addresses are local: never via a proxy
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out.body);
  if (headers != nullptr) curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers);
  if (!body.empty()) {
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(c.get());
  if (rc == CURLE_OPERATION_TIMEDOUT) return fail(Errc::timeout, method + " " + url + ": no answer in time");
  if (rc != CURLE_OK) return fail(Errc::io, method + " " + url + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace mixnet::lab
