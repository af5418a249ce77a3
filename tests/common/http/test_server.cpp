#include <utility>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "common/http/server.hpp"
#include "tests/support/http_client.hpp"

using namespace mixnet;
using namespace mixnet::http;
using mixnet::testing::http_request;
using mixnet::testing::HttpCall;
namespace asio = boost::asio;

namespace {

// A server on 127.0.0.1 with a free port, run on its own thread for the test's lifetime.
struct RunningServer {
  asio::io_context io;
  Server server;
  std::thread thread;
  unsigned short port = 0;

  explicit RunningServer(ServerOptions opts) : server(io, std::move(opts)) {}
  void start() {
    auto r = server.listen(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    REQUIRE(r.has_value());
    port = server.local_endpoint().port();
    thread = std::thread([this] { io.run(); });
  }
  ~RunningServer() {
    asio::post(io, [this] { server.stop(); io.stop(); });
    if (thread.joinable()) thread.join();
  }
};

// /v1/slow parks its handler until the test opens the gate (at most 3 s), on a timer so the
// server's one io thread stays free; `slow_parked` says a request is waiting there.
std::atomic<bool> slow_gate_open{true};
std::atomic<bool> slow_parked{false};

ServerOptions test_options() {
  ServerOptions o;
  o.bearer_token = "s3cret";
  o.body_limit = 1024;
  o.read_timeout = std::chrono::milliseconds(300);
  o.idle_timeout = std::chrono::milliseconds(300);
  return o;
}

void add_routes(Server& s) {
  s.route(Verb::get, "/v1/hello/{who}", [](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    co_return json_response(req, Status::ok, {{"hello", m.params.at("who")}, {"q", m.target.query.count("x")}});
  });
  s.route(Verb::post, "/v1/echo", [](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto body = parse_json_body(req);
    if (!body) co_return error_response(req, body.error());
    co_return json_response(req, Status::ok, *body);
  });
  s.route(Verb::get, "/v1/slow", [](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    slow_parked = true;
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int i = 0; i < 300 && !slow_gate_open; ++i) {
      t.expires_after(std::chrono::milliseconds(10));
      co_await t.async_wait(asio::use_awaitable);
    }
    slow_parked = false;
    co_return json_response(req, Status::ok, {{"released", slow_gate_open.load()}});
  });
  s.route(Verb::get, "/health", [](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    co_return json_response(req, Status::ok, {{"ok", true}});
  }, /*is_public=*/true);
}

}  // namespace

TEST_CASE("server routes, authenticates and validates", "[http][server]") {
  RunningServer rs(test_options());
  add_routes(rs.server);
  rs.start();

  HttpCall ok{.method = "GET", .target = "/v1/hello/world?x=1", .token = "s3cret"};
  auto r = http_request("127.0.0.1", rs.port, ok);
  CHECK(r.status == 200);
  CHECK(r.json()["hello"] == "world");
  CHECK(r.headers.at("content-type") == "application/json");

  SECTION("no token or a wrong token is 401") {
    auto none = http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/x"});
    CHECK(none.status == 401);
    CHECK(none.headers.at("www-authenticate") == "Bearer");
    CHECK(none.json()["error"]["field"] == "Authorization");
    auto wrong = http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/x", .token = "s3cre"});
    CHECK(wrong.status == 401);
    auto longer = http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/x", .token = "s3cret!"});
    CHECK(longer.status == 401);
  }
  SECTION("public routes need no token") {
    CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/health"}).status == 200);
  }
  SECTION("unknown path 404, wrong method 405 with Allow") {
    CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v2/x", .token = "s3cret"}).status == 404);
    auto m = http_request("127.0.0.1", rs.port, {.method = "DELETE", .target = "/v1/echo", .token = "s3cret"});
    CHECK(m.status == 405);
    CHECK(m.headers.at("allow") == "POST");
  }
  SECTION("JSON bodies are checked and size-limited") {
    auto good = http_request("127.0.0.1", rs.port, {.method = "POST", .target = "/v1/echo", .body = R"({"a":1})", .token = "s3cret"});
    CHECK(good.status == 200);
    CHECK(good.json()["a"] == 1);
    auto bad = http_request("127.0.0.1", rs.port, {.method = "POST", .target = "/v1/echo", .body = "{nope", .token = "s3cret"});
    CHECK(bad.status == 400);
    CHECK(bad.json()["error"]["field"] == "body");
    auto arr = http_request("127.0.0.1", rs.port, {.method = "POST", .target = "/v1/echo", .body = "[1]", .token = "s3cret"});
    CHECK(arr.status == 400);
    auto big = http_request("127.0.0.1", rs.port,
                            {.method = "POST", .target = "/v1/echo", .body = std::string(4096, ' '), .token = "s3cret"});
    CHECK(big.status == 413);
  }
  SECTION("bad targets are 400") {
    CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/%zz", .token = "s3cret"}).status == 400);
  }
  SECTION("handlers may wait without blocking other clients") {
    slow_gate_open = false;
    std::optional<mixnet::testing::HttpReply> slow;
    std::thread slow_client([&] {
      try {
        slow = http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/slow", .token = "s3cret"});
      } catch (const std::exception&) {
        // No reply: checked below.
      }
    });
    for (int i = 0; i < 300 && !slow_parked; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool parked = slow_parked;
    // While that handler waits, another client is answered in full (0: no answer in 5 s).
    unsigned other_status = 0;
    try {
      other_status =
          http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/other", .token = "s3cret"}).status;
    } catch (const std::exception&) {
    }
    const bool still_parked = slow_parked;
    slow_gate_open = true;
    slow_client.join();
    CHECK(parked);
    CHECK(other_status == 200);
    CHECK(still_parked);
    REQUIRE(slow.has_value());
    CHECK(slow->json()["released"] == true);  // answered because the gate opened, not at its 3 s bound
  }
  SECTION("stats count requests by route and status") {
    CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/x"}).status == 401);
    // Reading stats races with the server thread only in theory; the requests above are complete.
    const auto& st = rs.server.stats();
    CHECK(st.connections_accepted == 2);  // one per request of this client
    CHECK(st.requests.at({"/v1/hello/{who}", 200}) == 1);
    CHECK(st.requests.at({"/v1/hello/{who}", 401}) == 1);
  }
}

TEST_CASE("a silent client is disconnected at the read deadline", "[http][server]") {
  RunningServer rs(test_options());
  add_routes(rs.server);
  rs.start();

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(rs.port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  // Send half a request line, then nothing: the server must close within its deadlines.
  const char partial[] = "GET /v1/hel";
  REQUIRE(::write(fd, partial, sizeof partial - 1) > 0);
  timeval tv{2, 0};
  REQUIRE(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  char buf[64];
  const auto n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  // An orderly close (0), not our 2 s receive timeout (-1): the server's deadline closed it first.
  CHECK(n == 0);
}

TEST_CASE("listen addresses are parsed with the field named", "[http]") {
  CHECK(parse_listen_address("127.0.0.1:8080").value().port() == 8080);
  CHECK(parse_listen_address(":9000").value().address().to_string() == "0.0.0.0");
  CHECK(parse_listen_address("[::1]:80").value().address().to_string() == "::1");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "nohost:80", "[::1]80", "1.2.3.4:8x"}) {
    INFO(bad);
    auto r = parse_listen_address(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().field == "listen");
  }
}

TEST_CASE("bearer tokens compare exactly", "[http][auth]") {
  CHECK(bearer_token_matches("Bearer abc", "abc"));
  CHECK_FALSE(bearer_token_matches("Bearer ab", "abc"));
  CHECK_FALSE(bearer_token_matches("Bearer abcd", "abc"));
  CHECK_FALSE(bearer_token_matches("bearer abc", "abc"));
  CHECK_FALSE(bearer_token_matches("", "abc"));
  CHECK_FALSE(bearer_token_matches("Bearer ", "abc"));
}
