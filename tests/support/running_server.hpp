#pragma once
// The HTTP server (common/http/server.hpp) on 127.0.0.1 with a free port, run on its own thread
// for the test's lifetime: the server tests' harness, plain or TLS alike.
#include <utility>  // Boost 1.74 + GCC 12: <utility> must precede Asio's awaitable headers.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "common/http/server.hpp"

namespace mixnet::testing {

struct RunningServer {
  boost::asio::io_context io;
  http::Server server;
  std::thread thread;
  unsigned short port = 0;

  explicit RunningServer(http::ServerOptions opts) : server(io, std::move(opts)) {}
  // Call after the routes are registered.
  void start() {
    auto r = server.listen(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    REQUIRE(r.has_value());
    port = server.local_endpoint().port();
    thread = std::thread([this] { io.run(); });
  }
  ~RunningServer() {
    boost::asio::post(io, [this] { server.stop(); io.stop(); });
    if (thread.joinable()) thread.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;
};

}  // namespace mixnet::testing
