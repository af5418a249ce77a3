#include "common/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <type_traits>
#include <charconv>
#include <spdlog/spdlog.h>

#include "common/connection_table.hpp"

namespace mixnet::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// How long a TLS connection's close_notify may take to leave before the socket just closes: a
// peer that never reads must not hold the slot.
constexpr std::chrono::milliseconds kTlsShutdownGrace{1'000};

// Writes as much of an answer as the socket takes at once, without waiting: a reply to a client
// that is waiting for it (a long-poll woken by an event) leaves in this one writev, with no write
// deadline to arm (a timerfd_settime) and no trip through the io_context's queue before the
// coroutine goes on. The socket is non-blocking (session()); what is left, if anything, goes the
// asynchronous way under the write deadline. ec is set only by a real error.
void write_what_leaves_now(tcp::socket& socket, bhttp::serializer<false, bhttp::string_body>& serializer,
                           beast::error_code& ec) {
  while (!serializer.is_done()) {
    bhttp::write_some(socket, serializer, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      return;
    }
    if (ec) return;
  }
}

struct Route {
  Verb method;
  std::string pattern;
  Handler handler;
  bool is_public;
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_in, ServerOptions opts)
      : io(io_in),
        options(std::move(opts)),
        connections({.max_connections = options.max_connections,
                     .max_per_source = options.max_connections_per_source}),
        acceptor(io_in) {}

  asio::io_context& io;
  ServerOptions options;
  std::vector<Route> routes;
  ServerStats stats;
  ConnectionTable connections;   // io thread only
  tcp::acceptor acceptor;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream);
  asio::awaitable<Response> dispatch(const Request& req, bool authenticated);
  [[nodiscard]] bool authenticates(const Request& req) const {
    return !options.bearer_token || bearer_token_matches(req[bhttp::field::authorization], *options.bearer_token);
  }
  void count(const std::string& route, Status status) {
    ++stats.requests[{route, static_cast<unsigned>(status)}];
  }
};

asio::awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  while (acceptor.is_open()) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    ++stats.connections_accepted;
    asio::co_spawn(io, session(std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: session ended by exception: {}", ex.what());
      }
    });
  }
}

asio::awaitable<void> Server::Impl::session(tcp::socket socket) {
  auto self = shared_from_this();
  // No Nagle: a TLS answer leaves as several records (written one after another), and Nagle
  // would hold the last one until the client's delayed ACK, 40 ms later (seen: 80 ms stalls of a
  // long-polled journal read in the lab). Plain answers leave in one write and lose nothing.
  beast::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  // Synchronous writes (write_what_leaves_now) must never block the io_context.
  socket.non_blocking(true, nodelay_ec);
  if (nodelay_ec) co_return;
  if (options.tls) {
    TlsStream stream(beast::tcp_stream(std::move(socket)), *options.tls);
    co_await serve(stream);
  } else {
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream);
  }
}

// One connection, plain (beast::tcp_stream) or TLS (TlsStream): deadlines, caps and eviction all
// act on the TCP layer underneath, so both kinds are bounded alike.
template <class Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream) {
  constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  const std::string source = tcp_layer.socket().remote_endpoint(ec).address().to_string();
  if (ec) co_return;  // gone before we looked
  // A slot in the connection table; at a cap, an older idle or unauthenticated connection is
  // closed for this one. The slot is declared after the stream, so it is given back first.
  const auto id = connections.admit(source, [&tcp_layer] {
    beast::error_code ignored;
    tcp_layer.socket().close(ignored);
  });
  stats.connections_evicted = connections.evicted();
  if (!id) {
    ++stats.connections_rejected;
    spdlog::warn("http: refusing a connection from {}: {} open, all busy", source, connections.size());
    co_return;
  }
  ConnectionSlot slot(connections, *id);
  ++stats.active_connections;
  struct Leave {
    ServerStats& s;
    ~Leave() { --s.active_connections; }
  } leave{stats};

  // Until it authenticates, a connection has one short deadline for the whole request, first
  // byte (and, with TLS, the handshake) included, so silent or trickling sockets cannot pile up.
  tcp_layer.expires_after(options.first_request_timeout);
  if constexpr (is_tls) {
    co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ++stats.tls_handshakes_failed;
      spdlog::debug("http: TLS handshake from {} failed: {}", source, ec.message());
      co_return;
    }
  }

  beast::flat_buffer buffer;
  bool authenticated = false;  // some request on this connection carried the token
  for (;;) {
    // An authenticated connection waits for the first byte of its next request under the idle
    // deadline, then gets the (shorter) read deadline for the whole request.
    if (buffer.size() == 0) {
      if (authenticated) tcp_layer.expires_after(options.idle_timeout);
      const std::size_t n = co_await stream.async_read_some(buffer.prepare(4096),
                                                            asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      buffer.commit(n);
    }
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    if (authenticated) tcp_layer.expires_after(options.read_timeout);
    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    tcp_layer.expires_never();
    if (!tcp_layer.socket().is_open()) break;  // closed to make room for a newcomer: nothing to answer
    slot.set_phase(ConnectionTable::Phase::busy);

    Response res;
    bool close_after = false;
    if (ec == bhttp::error::body_limit) {
      Request bare;
      res = error_response(bare, Status::payload_too_large,
                           Error{Errc::payload_too_large,
                                 "request body exceeds " + std::to_string(options.body_limit) + " bytes",
                                 "body"});
      count("rejected", res.result());
      close_after = true;
    } else if (ec == bhttp::error::header_limit) {
      Request bare;
      res = error_response(bare, Status::request_header_fields_too_large,
                           Error{Errc::payload_too_large, "request header too large", "header"});
      count("rejected", res.result());
      close_after = true;
    } else if (ec) {
      // A timeout, a closed connection (a TLS peer may close without close_notify) or garbage:
      // nothing useful can be answered.
      if (ec != bhttp::error::end_of_stream && ec != asio::error::eof && ec != beast::error::timeout &&
          ec != asio::error::connection_reset && ec != asio::ssl::error::stream_truncated) {
        Request bare;
        res = error_response(bare, Status::bad_request,
                             Error{Errc::invalid_argument, "malformed HTTP request: " + ec.message(), "request"});
        count("rejected", res.result());
        close_after = true;
      } else {
        break;
      }
    } else {
      const Request& req = parser.get();
      const bool this_request_authenticated = authenticates(req);
      res = co_await dispatch(req, this_request_authenticated);
      // A request with the token earns the idle deadline; one answered 401 (a wrong token, or the
      // old one after a rotation) loses it; a public request without a token changes nothing.
      authenticated = this_request_authenticated || (authenticated && res.result() != Status::unauthorized);
      close_after = !req.keep_alive();
    }
    res.keep_alive(!close_after);
    res.prepare_payload();
    bhttp::serializer<false, bhttp::string_body> serializer{res};
    ec = {};   // it may still hold the read's error that this answer reports
    if constexpr (!is_tls) write_what_leaves_now(tcp_layer.socket(), serializer, ec);
    if (!ec && !serializer.is_done()) {
      tcp_layer.expires_after(options.write_timeout);
      co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      tcp_layer.expires_never();
    }
    if (ec || close_after) break;
    slot.set_phase(authenticated ? ConnectionTable::Phase::idle : ConnectionTable::Phase::unproven);
    // Still unproven after an answer: a fresh short deadline for its next whole request.
    if (!authenticated) tcp_layer.expires_after(options.first_request_timeout);
  }
  if (!tcp_layer.socket().is_open()) co_return;
  if constexpr (is_tls) {
    tcp_layer.expires_after(kTlsShutdownGrace);
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    tcp_layer.expires_never();
  } else {
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
}

asio::awaitable<Response> Server::Impl::dispatch(const Request& req, bool authenticated) {
  auto target = parse_target(req.target());
  if (!target) {
    count("unmatched", Status::bad_request);
    co_return error_response(req, Status::bad_request, target.error());
  }
  const Route* found = nullptr;
  bool path_known = false;
  std::string allowed;
  RouteMatch match;
  for (const auto& r : routes) {
    std::map<std::string, std::string> params;
    if (!match_pattern(r.pattern, target->path, params)) continue;
    path_known = true;
    if (!allowed.empty()) allowed += ", ";
    allowed += std::string(bhttp::to_string(r.method));
    if (r.method == req.method() && found == nullptr) {
      found = &r;
      match.params = std::move(params);
    }
  }
  // Without the token, a path that does not exist answers like one that does (401), so the
  // API's routes cannot be enumerated; only a public route answers without it.
  if (!authenticated && (found == nullptr || !found->is_public)) {
    auto res = error_response(req, Status::unauthorized,
                              Error{Errc::unauthorized, "missing or wrong bearer token", "Authorization"});
    res.set(bhttp::field::www_authenticate, "Bearer");
    count(found != nullptr ? found->pattern : "unmatched", res.result());
    co_return res;
  }
  if (found == nullptr) {
    if (path_known) {
      auto res = error_response(req, Status::method_not_allowed,
                                Error{Errc::invalid_argument,
                                      "method " + std::string(req.method_string()) + " not allowed on " +
                                          target->path + " (allowed: " + allowed + ")",
                                      "method"});
      res.set(bhttp::field::allow, allowed);
      count("unmatched", res.result());
      co_return res;
    }
    count("unmatched", Status::not_found);
    co_return error_response(req, Status::not_found,
                             Error{Errc::not_found, "no such resource: " + target->path, "path"});
  }
  match.target = std::move(*target);
  Response res;
  try {
    res = co_await found->handler(req, match);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {} failed: {}", std::string(req.method_string()), std::string(req.target()), e.what());
    res = error_response(req, Status::internal_server_error, Error{Errc::internal, e.what(), {}});
  }
  count(found->pattern, res.result());
  co_return res;
}

Server::Server(asio::io_context& io, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Server::~Server() { stop(); }

void Server::route(Verb method, std::string pattern, Handler handler, bool is_public) {
  impl_->routes.push_back(Route{method, std::move(pattern), std::move(handler), is_public});
}

Result<void> Server::listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close();
    return fail(ec == asio::error::address_in_use ? Errc::conflict : Errc::io,
                "listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
                    ec.message(),
                "listen");
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return {};
}

tcp::endpoint Server::local_endpoint() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec);
}

void Server::stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

const ServerStats& Server::stats() const { return impl_->stats; }

void Server::set_bearer_token(std::string token) {
  if (impl_->options.bearer_token) impl_->options.bearer_token = std::move(token);
}

Response json_response(const Request& req, Status status, const nlohmann::json& body) {
  return json_text_response(req, status, body.dump());
}

Response json_text_response(const Request& req, Status status, std::string json_text) {
  Response res{status, req.version() == 0 ? 11 : req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(json_text);
  res.body() += '\n';
  res.keep_alive(req.keep_alive());
  return res;
}

Status status_for(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return Status::bad_request;
    case Errc::not_found: return Status::not_found;
    case Errc::conflict: return Status::conflict;
    case Errc::unauthorized: return Status::unauthorized;
    case Errc::payload_too_large: return Status::payload_too_large;
    case Errc::timeout: return Status::gateway_timeout;
    case Errc::unavailable: return Status::service_unavailable;
    case Errc::denied: return Status::forbidden;
    case Errc::protocol: return Status::bad_gateway;
    case Errc::io:
    case Errc::insecure_file:
    case Errc::internal: return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

Response error_response(const Request& req, Status status, const Error& error) {
  nlohmann::json e{{"code", std::string(to_string(error.code))}, {"message", error.message}};
  if (!error.field.empty()) e["field"] = error.field;
  return json_response(req, status, nlohmann::json{{"error", e}});
}

Response error_response(const Request& req, const Error& error) {
  return error_response(req, status_for(error.code), error);
}

Result<nlohmann::json> parse_json_body(const Request& req) {
  if (req.body().empty()) return fail(Errc::invalid_argument, "request body is empty; expected a JSON object", "body");
  auto j = nlohmann::json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(Errc::invalid_argument, "request body is not valid JSON", "body");
  if (!j.is_object()) return fail(Errc::invalid_argument, "request body must be a JSON object", "body");
  return j;
}

Result<tcp::endpoint> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(Errc::invalid_argument, "expected [IPv6]:PORT, got '" + std::string(text) + "'", "listen");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail(Errc::invalid_argument, "expected ADDR:PORT, got '" + std::string(text) + "'", "listen");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) {
    return fail(Errc::invalid_argument, "port must be 0..65535, got '" + std::string(port_text) + "'", "listen");
  }
  asio::ip::address address = asio::ip::address_v4::any();
  if (!host.empty()) {
    beast::error_code aec;
    address = asio::ip::make_address(std::string(host), aec);
    if (aec) return fail(Errc::invalid_argument, "'" + std::string(host) + "' is not an IP address", "listen");
  }
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

bool bearer_token_matches(std::string_view header, std::string_view token) {
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() < prefix.size() || header.substr(0, prefix.size()) != prefix) return false;
  const std::string_view given = header.substr(prefix.size());
  // Compare every byte of the expected token whatever the input, so timing says nothing about
  // how much of a guess was right; the length difference is folded into the same accumulator.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(token[i]));
  }
  return diff == 0;
}

}  // namespace mixnet::http
