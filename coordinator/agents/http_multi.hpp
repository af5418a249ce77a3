#pragma once
// Many HTTP requests in flight at once on one libcurl multi handle, driven by the calling thread.
// The agent client is built on it: a batch is "submit one request per host, run until all are
// done", a long-poll is a request whose callback submits the next one, and both can be in flight
// together (links.verify probes one link while it still waits for another to come up).
//
// Every request has a deadline (per attempt, and an overall one), a connect timeout, and a
// bounded number of attempts with doubling backoff. Only requests marked idempotent are sent
// again after a failure that may have reached the server; any request is sent again when the
// connection could not be made at all (nothing was sent). HTTP error statuses are answers, not
// failures: they come back as responses; 502/503/504 count as transient for idempotent requests.
//
// Not thread-safe: one thread submits and runs. Sockets are opened by the thread that calls run(),
// so a test that enters a network namespace runs everything from a thread inside it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mixnet::coord {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;                          // sent as application/json when not empty
  std::string bearer_token;                  // empty: no Authorization header
  // https://: the CA bundle (PEM) the server's certificate must chain to; empty: the system's
  // trust store. The certificate is always verified, name included; never turned off.
  std::string ca_file;
  // https://: the client certificate and key presented to a server that asks for one (mutual
  // TLS); empty: none.
  std::string client_cert_file;
  std::string client_key_file;
  std::chrono::milliseconds timeout{5000};   // one attempt, connect to last byte
  std::chrono::milliseconds connect_timeout{2000};
  int max_attempts = 1;                      // 1..10
  bool idempotent = false;                   // may be sent again after it may have arrived
  std::chrono::milliseconds backoff{50};     // before the 2nd attempt; doubles, at most 1 s
  std::int64_t deadline_ns = 0;              // monotonic_ns(): no attempt runs past it (0: none)
  std::int64_t start_after_ns = 0;           // monotonic_ns(): the first attempt waits for it (0: at once)
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::int64_t sent_ns = 0;    // CLOCK_REALTIME: the answered attempt started
  std::int64_t done_ns = 0;    // CLOCK_REALTIME: the loop handled its completion
  // Tighter (CLOCK_REALTIME, always set): stamped from libcurl's callbacks at the moment itself,
  // not reconstructed afterwards. request_out_ns: just before libcurl wrote the request to the
  // connection (CURLOPT_PREREQFUNCTION); response_in_ns: just after it read the response's first
  // bytes from the socket (the first CURLOPT_HEADERFUNCTION call). Whatever the server did while
  // handling this request happened between the two, however late the loop handles the
  // completion. Should a callback not have run, the whole call's stamps stand in.
  std::int64_t request_out_ns = 0;
  std::int64_t response_in_ns = 0;
  int attempts = 0;
};

// A transport failure (refused, timed out, reset) is an Error: timeout for deadlines,
// unavailable when the connection could not be made, io otherwise; the message names the URL.
using HttpOutcome = Result<HttpResponse>;

class HttpMulti {
 public:
  using RequestId = std::uint64_t;
  using Callback = std::function<void(HttpOutcome)>;

  HttpMulti();
  ~HttpMulti();
  HttpMulti(const HttpMulti&) = delete;
  HttpMulti& operator=(const HttpMulti&) = delete;

  // Queues a request; its callback runs from run() exactly once (unless cancelled). Callbacks
  // may submit and cancel.
  RequestId submit(HttpRequest request, Callback done);
  // Drops a request in flight or waiting for a retry; its callback never runs. Unknown ids are ignored.
  void cancel(RequestId id);
  // Lets a request already on the wire finish with nobody told, so that its connection stays open
  // for the next request (cancelling one mid-way closes its connection, and the next request to
  // that server pays a new TCP and TLS handshake). One not yet sent is cancelled.
  void abandon(RequestId id);

  // Drives transfers until `stop` says so (checked after every completion), nothing is left, or
  // the monotonic deadline passes (requests still in flight stay queued for the next run()).
  void run(std::int64_t deadline_ns, const std::function<bool()>& stop = {});

  [[nodiscard]] std::size_t pending() const;

  // How many connections (busy or idle) the handle keeps open. libcurl's default is four per
  // transfer currently added, so idle connections were closed as a batch's last transfers
  // finished, and the next batch paid a new TCP (and TLS) handshake to each server. A client of
  // many servers sets this to what it uses at once, so connections live from one batch to the next.
  void set_max_connections(long connections);

 private:
  struct Transfer;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::coord
