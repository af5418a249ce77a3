#pragma once
// A small HTTP/1.1 server on Boost.Beast for JSON APIs (the agent, the OCS emulator's RESTCONF
// and control endpoints). One io_context, one coroutine per connection, a deadline on every read
// and write, a body limit (413), optional bearer-token auth (401, constant-time compare, also for
// paths that do not exist), connection caps that close the oldest idle or unauthenticated
// connection for a newcomer (common/connection_table.hpp), and coroutine handlers so a long-poll
// can wait without blocking anything else. With a TLS context (common/http/tls_server_context.hpp)
// it speaks HTTPS only; the handshake counts as part of the first request, under its deadline.
#include <utility>  // Boost 1.74 + GCC 12: <utility> must precede Asio's awaitable headers.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/http/target.hpp"
#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace mixnet::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using Status = boost::beast::http::status;

struct RouteMatch {
  Target target;                               // decoded path and query
  std::map<std::string, std::string> params;   // the {name} segments of the route pattern
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, const RouteMatch&)>;

struct ServerOptions {
  std::string server_name = "mixnet";
  std::size_t body_limit = 64 * 1024;               // larger bodies get 413
  std::size_t header_limit = 8 * 1024;              // larger headers get 431
  std::chrono::milliseconds read_timeout{10'000};   // a request must arrive whole within this
  std::chrono::milliseconds write_timeout{10'000};  // a response must leave within this
  // A connection that has not sent an authenticated request yet must deliver a whole request
  // within this of its start (or of its last unauthenticated answer): silent sockets go quickly.
  std::chrono::milliseconds first_request_timeout{5'000};
  std::chrono::milliseconds idle_timeout{60'000};   // an authenticated keep-alive connection idle this long closes
  // At either cap the oldest unauthenticated, then the oldest idle connection is closed for the
  // newcomer; the newcomer is refused only when every connection in its way is answering a request.
  std::size_t max_connections = 512;
  std::size_t max_connections_per_source = 64;      // from one client address
  std::optional<std::string> bearer_token;          // when set, every non-public route needs it
  // Set: every connection speaks TLS (make_tls_server_context); unset: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// Counters for /metrics: requests by route pattern and status code.
struct ServerStats {
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests;  // (route, status) -> count
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;   // refused: every connection in the way was busy
  std::uint64_t connections_evicted = 0;    // closed to make room for a newcomer
  std::uint64_t active_connections = 0;
  std::uint64_t tls_handshakes_failed = 0;   // wrong protocol, untrusted client, or silent past the deadline
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // A public route needs no token (for health checks); every other route does when a token is set.
  void route(Verb method, std::string pattern, Handler handler, bool is_public = false);

  // Binds and starts accepting. Port 0 picks a free port; local_endpoint() says which.
  Result<void> listen(const boost::asio::ip::tcp::endpoint& endpoint);
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  void stop();

  [[nodiscard]] const ServerStats& stats() const;

  // Replaces the bearer token (token rotation): requests from now on need the new one. Call it
  // on the server's io_context thread. Does not turn authentication on or off.
  void set_bearer_token(std::string token);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Response helpers: every body is JSON; errors are {"error": {"code", "message", "field"}}.
Response json_response(const Request& req, Status status, const nlohmann::json& body);
// The same with the body's JSON text already written (a hot path that skips the json tree).
Response json_text_response(const Request& req, Status status, std::string json_text);
Response error_response(const Request& req, Status status, const Error& error);
Response error_response(const Request& req, const Error& error);  // status chosen from the code
Status status_for(Errc code);

// Parses the request body as a JSON object; the error names the body.
Result<nlohmann::json> parse_json_body(const Request& req);

// Parses "ADDR:PORT", "[v6]:PORT" or ":PORT" (all addresses).
Result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

// Constant-time comparison of the Authorization header with "Bearer <token>".
bool bearer_token_matches(std::string_view authorization_header, std::string_view token);

}  // namespace mixnet::http
