#pragma once
// libcurl, owned: the easy and multi handles and header lists as RAII types, and what every HTTP
// client of ours does the same way (the process-wide init, the reply-body limit, the options each
// request has, a failed transfer's Errc). Each client still sets its own headers, auth and error
// messages on the handle (get()). The clients: the coordinator's agent client (HttpMulti), the
// Polatis RESTCONF driver and mixnet-lab's calls. Include it from .cpp files only: it brings in
// <curl/curl.h>.
#include <chrono>
#include <cstddef>
#include <curl/curl.h>
#include <string>

#include "common/http/tls_client_files.hpp"
#include "common/result.hpp"

namespace mixnet::curl {

// The most a reply body may hold. Our replies are small (a page of 1000 agent events is the
// largest); this bounds memory, it is not a size. A longer body fails the transfer
// (CURLE_WRITE_ERROR).
inline constexpr std::size_t kMaxBody = 16u << 20;

// curl_global_init, once per process whichever client comes first; safe from any thread. The
// handles below call it, so a client need not.
void global_init();

// A failed transfer's code: timeout when a deadline passed, unavailable when no connection could
// be made (refused, name not resolved), io otherwise.
[[nodiscard]] Errc errc_for(CURLcode rc);

// A request's header lines (curl_slist); must outlive the transfers that use it.
class Headers {
 public:
  Headers() = default;
  ~Headers();
  Headers(Headers&& other) noexcept;
  Headers& operator=(Headers&& other) noexcept;
  Headers(const Headers&) = delete;
  Headers& operator=(const Headers&) = delete;

  void add(const std::string& line);
  [[nodiscard]] bool empty() const { return list_ == nullptr; }
  [[nodiscard]] curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// One easy handle. A moved-from Easy holds none; so does one whose curl_easy_init failed (check
// valid() before use).
class Share;

class Easy {
 public:
  Easy();
  ~Easy();
  Easy(Easy&& other) noexcept;
  Easy& operator=(Easy&& other) noexcept;
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;

  [[nodiscard]] bool valid() const { return handle_ != nullptr; }
  [[nodiscard]] CURL* get() const { return handle_; }

  // Resets the handle to libcurl's defaults (a reused handle keeps its open connection) and sets
  // what every request of ours has: the URL, no signals (we run threads), http(s) only, no Nagle delay,
  // both timeouts, and the reply body appended to `body` up to kMaxBody. `body` must outlive the
  // transfer. A timeout of 0 means none to libcurl: callers pass at least 1 ms.
  void prepare(const std::string& url, std::chrono::milliseconds timeout, std::chrono::milliseconds connect_timeout,
               std::string& body);
  // GET as a plain GET; any other method by name.
  void set_method(const std::string& method);
  // The request body, copied into the handle (it need not outlive this call), with its length
  // set so that an empty body still goes out as "Content-Length: 0".
  void set_body(const std::string& body);
  void set_headers(const Headers& headers);
  // HTTPS: verify the server against `tls.ca_file` (when named) and present `tls.cert_file` and
  // `tls.key_file` (when named). libcurl's verification of the peer and host stays on.
  void set_tls(const TlsClientFiles& tls);
  // Resumes TLS sessions through `share` (which must outlive this handle's transfers).
  void set_share(const Share& share);

  // A blocking transfer on this thread.
  [[nodiscard]] CURLcode perform();
  // The HTTP status of the last transfer (0 when none came).
  [[nodiscard]] long status() const;
  // Whether any byte of the last request was sent: after a failed transfer, the server may have
  // received (and acted on) it only then.
  [[nodiscard]] bool request_went_out() const;

 private:
  CURL* handle_ = nullptr;
};

// TLS sessions shared by the easy handles that use it (one thread): a new connection to a server
// one of them has spoken to resumes that session, an abbreviated handshake without the
// certificate chain's signatures, instead of a full one per handle. It must outlive those handles.
class Share {
 public:
  Share();
  ~Share();
  Share(const Share&) = delete;
  Share& operator=(const Share&) = delete;
  [[nodiscard]] CURLSH* get() const { return handle_; }

 private:
  CURLSH* handle_ = nullptr;
};

// One multi handle. The easy handles added to it stay owned by the caller, who removes each
// before it is destroyed or reused.
class Multi {
 public:
  Multi();
  ~Multi();
  Multi(const Multi&) = delete;
  Multi& operator=(const Multi&) = delete;

  [[nodiscard]] bool valid() const { return handle_ != nullptr; }
  [[nodiscard]] CURLM* get() const { return handle_; }

  [[nodiscard]] bool add(const Easy& easy);
  void remove(const Easy& easy);

 private:
  CURLM* handle_ = nullptr;
};

}  // namespace mixnet::curl
