#include "coordinator/agents/http_multi.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "common/clock.hpp"
#include "common/http/curl.hpp"

namespace mixnet::coord {

namespace {

constexpr std::chrono::milliseconds kMaxBackoff{1000};

// The two moments that bracket the server's handling of an attempt, stamped on our clock when
// they happen (inside curl_multi_perform), so neither depends on when the loop gets round to the
// finished transfer. 0: not yet.
struct WireStamps {
  std::int64_t request_out_ns = 0;
  std::int64_t response_in_ns = 0;
};

// Called once the connection is ready, just before the request is written to it.
int on_request_out(void* user, char* /*remote_ip*/, char* /*local_ip*/, int /*remote_port*/, int /*local_port*/) {
  static_cast<WireStamps*>(user)->request_out_ns = realtime_ns();
  return CURL_PREREQFUNC_OK;
}

// Called per header line after libcurl has read it from the socket: the first call follows the
// response's first bytes in, so it is no earlier than the server's answer left.
std::size_t on_header(char* /*data*/, std::size_t size, std::size_t n, void* user) {
  auto* stamps = static_cast<WireStamps*>(user);
  if (stamps->response_in_ns == 0) stamps->response_in_ns = realtime_ns();
  return size * n;
}

bool transient_status(long status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

struct HttpMulti::Transfer {
  RequestId id = 0;
  HttpRequest request;
  Callback done;
  std::optional<curl::Easy> easy;  // set while an attempt is in flight
  curl::Headers headers;
  std::string body;                // the attempt's reply body
  char error[CURL_ERROR_SIZE] = {};
  int attempts = 0;
  std::int64_t due_ns = 0;         // monotonic: when the next attempt may start (waiting only)
  std::int64_t sent_ns = 0;        // realtime: the current attempt started
  WireStamps wire;                 // the current attempt's request out / response in
  std::string last_error;          // what the previous attempt died of, for the final message
};

struct HttpMulti::Impl {
  curl::Share share;   // first in, last out: every easy handle below uses it
  curl::Multi multi;
  RequestId next_id = 1;
  std::map<RequestId, std::unique_ptr<Transfer>> transfers;
  std::vector<curl::Easy> spare;   // easy handles kept for reuse (they keep their connections)

  // The transfers leave the multi handle before it goes (members die in reverse order).
  ~Impl() {
    for (auto& [id, t] : transfers) release(*t);
  }

  void release(Transfer& t) {
    if (t.easy) {
      multi.remove(*t.easy);
      spare.push_back(std::move(*t.easy));
      t.easy.reset();
    }
    t.headers = {};
  }

  std::string describe(const Transfer& t) const { return t.request.method + " " + t.request.url; }

  // Runs the callback with the final outcome. The transfer is gone from the map before the
  // callback runs, so the callback may submit or cancel freely.
  void finish(RequestId id, HttpOutcome outcome) {
    auto it = transfers.find(id);
    if (it == transfers.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers.erase(it);
    release(*t);
    if (t->done) t->done(std::move(outcome));
  }

  // Starts the next attempt, or finishes with a timeout when the overall deadline has passed.
  void start(Transfer& t) {
    const std::int64_t now = monotonic_ns();
    std::int64_t timeout_ms = t.request.timeout.count();
    if (t.request.deadline_ns != 0) {
      const std::int64_t left_ms = (t.request.deadline_ns - now) / kNsPerMs;
      if (left_ms <= 0) {
        std::string msg = describe(t) + ": deadline passed";
        if (!t.last_error.empty()) msg += " (last attempt: " + t.last_error + ")";
        finish(t.id, fail(Errc::timeout, msg));
        return;
      }
      timeout_ms = std::min(timeout_ms, left_ms);
    }
    curl::Easy easy;
    if (!spare.empty()) {
      easy = std::move(spare.back());
      spare.pop_back();
    }
    if (!easy.valid()) {
      finish(t.id, fail(Errc::internal, describe(t) + ": curl_easy_init failed"));
      return;
    }
    t.easy = std::move(easy);
    CURL* e = t.easy->get();
    t.body.clear();
    t.error[0] = '\0';
    ++t.attempts;
    const std::chrono::milliseconds attempt_timeout{std::max<std::int64_t>(timeout_ms, 1)};
    const std::chrono::milliseconds connect_timeout{
        std::max<std::int64_t>(std::min<std::int64_t>(t.request.connect_timeout.count(), timeout_ms), 1)};
    t.easy->prepare(t.request.url, attempt_timeout, connect_timeout, t.body);
    t.wire = {};
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_request_out);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, &t.wire);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t.wire);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    t.easy->set_tls({.ca_file = t.request.ca_file, .cert_file = t.request.client_cert_file, .key_file = t.request.client_key_file});
    t.easy->set_share(share);
    t.headers.add("Accept: application/json");
    t.headers.add("Expect:");   // no 100-continue round trip
    if (!t.request.bearer_token.empty()) t.headers.add("Authorization: Bearer " + t.request.bearer_token);
    t.easy->set_method(t.request.method);
    if (!t.request.body.empty() || t.request.method == "POST") {
      t.headers.add("Content-Type: application/json");
      t.easy->set_body(t.request.body);
    }
    t.easy->set_headers(t.headers);
    t.sent_ns = realtime_ns();
    if (!multi.add(*t.easy)) {
      finish(t.id, fail(Errc::internal, describe(t) + ": curl_multi_add_handle failed"));
    }
  }

  // Another attempt is worth making: attempts are left, the next one would start before the
  // deadline, and either the request is idempotent or the failed attempt sent nothing.
  bool schedule_retry(Transfer& t, bool nothing_sent, std::string why) {
    if (t.attempts >= std::clamp(t.request.max_attempts, 1, 10)) return false;
    if (!t.request.idempotent && !nothing_sent) return false;
    auto backoff = t.request.backoff;
    for (int i = 1; i < t.attempts && backoff < kMaxBackoff; ++i) backoff *= 2;
    backoff = std::min(backoff, kMaxBackoff);
    const std::int64_t due = monotonic_ns() + backoff.count() * kNsPerMs;
    if (t.request.deadline_ns != 0 && due >= t.request.deadline_ns) return false;
    release(t);
    t.due_ns = due;
    spdlog::debug("http: {} failed ({}); attempt {} in {} ms", describe(t), why, t.attempts + 1, backoff.count());
    t.last_error = std::move(why);
    return true;
  }

  void on_done(CURL* e, CURLcode rc) {
    Transfer* tp = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &tp);
    if (tp == nullptr) return;
    Transfer& t = *tp;
    const std::int64_t done_ns = realtime_ns();
    // New connections are TLS handshakes on both sides: worth seeing when hunting for churn.
    long new_connections = 0;
    if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK && new_connections > 0) {
      spdlog::debug("http: {} opened {} new connection(s) ({})", describe(t), new_connections, curl_easy_strerror(rc));
    }
    if (rc == CURLE_OK) {
      const long status = t.easy->status();
      if (transient_status(status) && t.request.idempotent &&
          schedule_retry(t, false, "HTTP " + std::to_string(status))) {
        return;
      }
      HttpResponse r;
      r.status = status;
      r.body = std::move(t.body);
      r.sent_ns = t.sent_ns;
      r.done_ns = done_ns;
      // Not libcurl's timers: they are durations, and anchoring them on "now" shifts both ends by
      // however long the loop took to get here (other completions, their callbacks).
      const bool stamped = t.wire.request_out_ns != 0 && t.wire.response_in_ns >= t.wire.request_out_ns;
      r.request_out_ns = stamped ? t.wire.request_out_ns : t.sent_ns;
      r.response_in_ns = stamped ? t.wire.response_in_ns : done_ns;
      r.attempts = t.attempts;
      finish(t.id, std::move(r));
      return;
    }
    const bool nothing_sent = !t.easy->request_went_out();
    std::string why = curl_easy_strerror(rc);
    if (t.error[0] != '\0') why = t.error;
    // A certificate that does not verify will not verify on the next attempt either.
    const bool tls_refused = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE;
    if (tls_refused) why += " (checked against " + (t.request.ca_file.empty() ? std::string("the system's CA store") : t.request.ca_file) + ")";
    if (!tls_refused && schedule_retry(t, nothing_sent, why)) return;
    std::string msg = describe(t) + ": " + why;
    if (t.attempts > 1) msg += " (after " + std::to_string(t.attempts) + " attempts)";
    finish(t.id, fail(curl::errc_for(rc), msg));
  }

  // Starts every waiting transfer that is due; returns the earliest future due time (0: none).
  std::int64_t start_due() {
    const std::int64_t now = monotonic_ns();
    std::vector<RequestId> due;
    std::int64_t next = 0;
    for (auto& [id, t] : transfers) {
      if (t->easy) continue;
      if (t->due_ns <= now) due.push_back(id);
      else if (next == 0 || t->due_ns < next) next = t->due_ns;
    }
    // By id: a start that finishes a request runs its callback, which may cancel others.
    for (RequestId id : due) {
      auto it = transfers.find(id);
      if (it != transfers.end() && !it->second->easy) start(*it->second);
    }
    return next;
  }
};

HttpMulti::HttpMulti() : impl_(std::make_unique<Impl>()) {}
HttpMulti::~HttpMulti() = default;

HttpMulti::RequestId HttpMulti::submit(HttpRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->id = impl_->next_id++;
  t->request = std::move(request);
  t->done = std::move(done);
  t->due_ns = t->request.start_after_ns;   // the first attempt starts from run()
  const RequestId id = t->id;
  impl_->transfers.emplace(id, std::move(t));
  return id;
}

void HttpMulti::cancel(RequestId id) {
  auto it = impl_->transfers.find(id);
  if (it == impl_->transfers.end()) return;
  impl_->release(*it->second);
  impl_->transfers.erase(it);
}

void HttpMulti::abandon(RequestId id) {
  auto it = impl_->transfers.find(id);
  if (it == impl_->transfers.end()) return;
  Transfer& t = *it->second;
  if (!t.easy) {   // waiting for its start or a retry: nothing on the wire to keep
    cancel(id);
    return;
  }
  t.done = nullptr;                        // its outcome goes nowhere
  t.request.max_attempts = t.attempts;     // and it is not tried again
}

std::size_t HttpMulti::pending() const { return impl_->transfers.size(); }

void HttpMulti::set_max_connections(long connections) {
  if (impl_->multi.valid()) curl_multi_setopt(impl_->multi.get(), CURLMOPT_MAXCONNECTS, std::max(connections, 1L));
}

void HttpMulti::run(std::int64_t deadline_ns, const std::function<bool()>& stop) {
  Impl& m = *impl_;
  if (!m.multi.valid()) {
    // Without a multi handle nothing can be sent: fail everything rather than hang.
    std::vector<RequestId> ids;
    for (auto& [id, t] : m.transfers) ids.push_back(id);
    for (RequestId id : ids) m.finish(id, fail(Errc::internal, "curl_multi_init failed"));
    return;
  }
  while (true) {
    if (stop && stop()) return;
    const std::int64_t next_due = m.start_due();
    if (stop && stop()) return;   // a start may have finished a request (deadline passed)
    if (m.transfers.empty()) return;
    const std::int64_t now = monotonic_ns();
    if (now >= deadline_ns) return;

    int running = 0;
    curl_multi_perform(m.multi.get(), &running);
    int queued = 0;
    bool finished_any = false;
    while (CURLMsg* msg = curl_multi_info_read(m.multi.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      m.on_done(msg->easy_handle, msg->data.result);
      finished_any = true;
      if (stop && stop()) return;
    }
    if (finished_any) continue;   // callbacks may have queued new requests: start them first

    std::int64_t wait_ns = std::min<std::int64_t>(deadline_ns - monotonic_ns(), 1000 * kNsPerMs);
    if (next_due != 0) wait_ns = std::min(wait_ns, next_due - monotonic_ns());
    long curl_wait_ms = -1;
    curl_multi_timeout(m.multi.get(), &curl_wait_ms);
    if (curl_wait_ms >= 0) wait_ns = std::min<std::int64_t>(wait_ns, curl_wait_ms * kNsPerMs);
    if (wait_ns <= 0) continue;
    const int wait_ms = static_cast<int>((wait_ns + kNsPerMs - 1) / kNsPerMs);
    curl_multi_poll(m.multi.get(), nullptr, 0, wait_ms, nullptr);
  }
}

}  // namespace mixnet::coord
