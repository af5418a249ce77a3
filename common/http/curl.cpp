#include "common/http/curl.hpp"

#include <mutex>
#include <utility>

namespace mixnet::curl {

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * count > kMaxBody) return 0;   // libcurl fails the transfer
  body->append(data, size * count);
  return size * count;
}

}  // namespace

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Errc errc_for(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return Errc::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return Errc::unavailable;
    default: return Errc::io;
  }
}

Headers::~Headers() {
  if (list_ != nullptr) curl_slist_free_all(list_);
}

Headers::Headers(Headers&& other) noexcept : list_(std::exchange(other.list_, nullptr)) {}

Headers& Headers::operator=(Headers&& other) noexcept {
  if (this != &other) {
    if (list_ != nullptr) curl_slist_free_all(list_);
    list_ = std::exchange(other.list_, nullptr);
  }
  return *this;
}

void Headers::add(const std::string& line) { list_ = curl_slist_append(list_, line.c_str()); }

Easy::Easy() {
  global_init();
  handle_ = curl_easy_init();
}

Easy::~Easy() {
  if (handle_ != nullptr) curl_easy_cleanup(handle_);
}

Easy::Easy(Easy&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Easy& Easy::operator=(Easy&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

void Easy::prepare(const std::string& url, std::chrono::milliseconds timeout, std::chrono::milliseconds connect_timeout,
                   std::string& body) {
  curl_easy_reset(handle_);
  curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle_, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &body);
}

void Easy::set_method(const std::string& method) {
  if (method == "GET") curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
  else curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, method.c_str());
}

void Easy::set_body(const std::string& body) {
  // The size first: COPYPOSTFIELDS copies that many bytes (else it would use strlen).
  curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(handle_, CURLOPT_COPYPOSTFIELDS, body.c_str());
}

void Easy::set_headers(const Headers& headers) { curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers.get()); }

void Easy::set_tls(const TlsClientFiles& tls) {
  if (!tls.ca_file.empty()) curl_easy_setopt(handle_, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(handle_, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(handle_, CURLOPT_SSLKEY, tls.key_file.c_str());
}

CURLcode Easy::perform() { return curl_easy_perform(handle_); }

long Easy::status() const {
  long status = 0;
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

bool Easy::request_went_out() const {
  long bytes = 0;
  return curl_easy_getinfo(handle_, CURLINFO_REQUEST_SIZE, &bytes) == CURLE_OK && bytes > 0;
}

Share::Share() {
  global_init();
  handle_ = curl_share_init();
  if (handle_ != nullptr) curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

Share::~Share() {
  if (handle_ != nullptr) curl_share_cleanup(handle_);
}

void Easy::set_share(const Share& share) {
  if (share.get() != nullptr) curl_easy_setopt(handle_, CURLOPT_SHARE, share.get());
}

Multi::Multi() {
  global_init();
  handle_ = curl_multi_init();
}

Multi::~Multi() {
  if (handle_ != nullptr) curl_multi_cleanup(handle_);
}

bool Multi::add(const Easy& easy) { return curl_multi_add_handle(handle_, easy.get()) == CURLM_OK; }

void Multi::remove(const Easy& easy) { curl_multi_remove_handle(handle_, easy.get()); }

}  // namespace mixnet::curl
