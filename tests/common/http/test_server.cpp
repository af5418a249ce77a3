#include <utility>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <cerrno>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <string>
#include <vector>
#include <thread>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "common/http/server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/running_server.hpp"

using namespace mixnet;
using namespace mixnet::http;
using mixnet::testing::http_request;
using mixnet::testing::HttpCall;
using mixnet::testing::RunningServer;
namespace asio = boost::asio;

namespace {

// /v1/slow parks its handler until the test opens the gate (at most 3 s), on a timer so the
// server's one io thread stays free; `slow_parked` says a request is waiting there.
std::atomic<bool> slow_gate_open{true};
std::atomic<bool> slow_parked{false};

ServerOptions test_options() {
  ServerOptions o;
  o.bearer_token = "s3cret";
  o.body_limit = 1024;
  o.read_timeout = std::chrono::milliseconds(300);
  o.first_request_timeout = std::chrono::milliseconds(300);
  o.idle_timeout = std::chrono::milliseconds(300);
  return o;
}

// A TCP connection to the server from `source` (any 127/8 address works on loopback) that sends
// nothing unless told to.
struct RawClient {
  int fd = -1;
  RawClient(unsigned short port, const char* source = "127.0.0.1") {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, source, &local.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawClient() { ::close(fd); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // True when the server closed the connection within `within` (a generous bound, not a timing).
  [[nodiscard]] bool closed_by_server(std::chrono::milliseconds within) const {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) != 1) return false;
    char c;
    return ::recv(fd, &c, 1, 0) <= 0;
  }
  // True while the server keeps the connection (nothing to read, no end of stream).
  [[nodiscard]] bool still_open() const {
    char c;
    return ::recv(fd, &c, 1, MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// 8 MiB of JSON, far more than a loopback socket takes at once: the answer is written partly at
// once and the rest asynchronously.
std::string big_answer_text() {
  std::string text = "\"";
  for (std::size_t i = 0; text.size() < 8 * 1024 * 1024; ++i) text += static_cast<char>('a' + i % 26);
  return text + "\"";
}

// Reads one HTTP answer with a Content-Length from fd (5 s bound per read); returns head and body.
std::pair<std::string, std::string> read_answer(int fd, std::string& pending) {
  for (;;) {
    const auto end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::string head = pending.substr(0, end);
      const auto at = head.find("Content-Length: ");
      REQUIRE(at != std::string::npos);
      const std::size_t length = std::stoul(head.substr(at + 16));
      if (pending.size() >= end + 4 + length) {
        std::string body = pending.substr(end + 4, length);
        pending.erase(0, end + 4 + length);
        return {head, body};
      }
    }
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    pending.append(buf, static_cast<std::size_t>(n));
  }
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
  s.route(Verb::get, "/v1/big", [](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    co_return json_text_response(req, Status::ok, big_answer_text());
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
  SECTION("without the token, unknown paths and wrong methods answer 401 like known routes") {
    // Nothing tells a route that exists from one that does not: no 404, no 405, no Allow.
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/v2/x"}, {"GET", "/v1/hello"}, {"DELETE", "/v1/echo"}, {"POST", "/health"}}) {
      INFO(method << " " << target);
      auto r401 = http_request("127.0.0.1", rs.port, {.method = method, .target = target});
      CHECK(r401.status == 401);
      CHECK(r401.headers.at("www-authenticate") == "Bearer");
      CHECK(r401.headers.count("allow") == 0);
      CHECK(http_request("127.0.0.1", rs.port, {.method = method, .target = target, .token = "wrong"}).status == 401);
    }
    CHECK(rs.server.stats().requests.at({"unmatched", 401}) == 8);  // four requests, each twice
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

TEST_CASE("an answer larger than the socket takes at once arrives whole, and the connection goes on",
          "[http][server]") {
  // The next request comes after the client has checked 8 MiB (slow under the sanitizers): an
  // idle deadline of its own, longer than the test's usual 300 ms; the expected text made first.
  ServerOptions options = test_options();
  options.idle_timeout = std::chrono::seconds(10);
  const std::string expected = big_answer_text() + "\n";
  RunningServer rs(options);
  add_routes(rs.server);
  rs.start();
  RawClient c(rs.port);
  const std::string get_big = "GET /v1/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n";
  REQUIRE(::send(c.fd, get_big.data(), get_big.size(), 0) == static_cast<ssize_t>(get_big.size()));
  std::string pending;
  const auto [head, body] = read_answer(c.fd, pending);
  CHECK(head.starts_with("HTTP/1.1 200"));
  CHECK(body == expected);
  // The same connection answers its next request: the unsent rest went out and nothing is left over.
  const std::string get_hello = "GET /v1/hello/again HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n";
  REQUIRE(::send(c.fd, get_hello.data(), get_hello.size(), 0) == static_cast<ssize_t>(get_hello.size()));
  const auto [head2, body2] = read_answer(c.fd, pending);
  CHECK(head2.starts_with("HTTP/1.1 200"));
  CHECK(nlohmann::json::parse(body2)["hello"] == "again");
  CHECK(pending.empty());
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

TEST_CASE("a token can be replaced while the server runs", "[http][auth]") {
  RunningServer rs(test_options());
  add_routes(rs.server);
  rs.start();
  CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/a", .token = "s3cret"}).status == 200);
  std::promise<void> replaced;
  asio::post(rs.io, [&] {
    rs.server.set_bearer_token("n3w");
    replaced.set_value();
  });
  replaced.get_future().wait();
  CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/a", .token = "s3cret"}).status == 401);
  CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/a", .token = "n3w"}).status == 200);
}

TEST_CASE("a connection that sends no request is closed at the first-request deadline, not the idle one",
          "[http][server][edges]") {
  ServerOptions o = test_options();
  o.first_request_timeout = std::chrono::milliseconds(300);
  o.idle_timeout = std::chrono::minutes(10);
  RunningServer rs(o);
  add_routes(rs.server);
  rs.start();
  RawClient silent(rs.port);
  // 300 ms against 10 minutes: 30 s is a bound for a loaded machine, not a timing.
  CHECK(silent.closed_by_server(std::chrono::seconds(30)));

  // After an authenticated request the connection gets the idle deadline: it is still open
  // well past the first-request deadline.
  RawClient proven(rs.port);
  const std::string req = "GET /v1/hello/p HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n";
  REQUIRE(::write(proven.fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  pollfd p{.fd = proven.fd, .events = POLLIN, .revents = 0};
  REQUIRE(::poll(&p, 1, 10'000) == 1);
  char reply[4096];
  const auto n = ::recv(proven.fd, reply, sizeof reply, 0);
  REQUIRE(n > 0);
  CHECK_THAT(std::string(reply, static_cast<std::size_t>(n)), Catch::StartsWith("HTTP/1.1 200"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // five first-request deadlines
  CHECK(proven.still_open());

  // A request answered 401 (a wrong or rotated-out token) takes the idle deadline away again.
  const std::string wrong = "GET /v1/hello/p HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer old\r\n\r\n";
  REQUIRE(::write(proven.fd, wrong.data(), wrong.size()) == static_cast<ssize_t>(wrong.size()));
  REQUIRE(::poll(&p, 1, 10'000) == 1);
  const auto m = ::recv(proven.fd, reply, sizeof reply, 0);
  REQUIRE(m > 0);
  CHECK_THAT(std::string(reply, static_cast<std::size_t>(m)), Catch::StartsWith("HTTP/1.1 401"));
  CHECK(proven.closed_by_server(std::chrono::seconds(30)));
}

TEST_CASE("at the connection cap the oldest silent connection makes room for a newcomer", "[http][server][edges]") {
  ServerOptions o = test_options();
  o.first_request_timeout = std::chrono::minutes(10);  // only the cap can close them
  o.max_connections = 4;
  RunningServer rs(o);
  add_routes(rs.server);
  rs.start();
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 4; ++i) silent.push_back(std::make_unique<RawClient>(rs.port));
  // The fifth connection is an authenticated request: it is answered, and the oldest silent
  // connection was closed for it.
  CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/n", .token = "s3cret"}).status == 200);
  CHECK(silent[0]->closed_by_server(std::chrono::seconds(10)));
  for (std::size_t i = 1; i < silent.size(); ++i) CHECK(silent[i]->still_open());
  CHECK(rs.server.stats().connections_evicted == 1);
  CHECK(rs.server.stats().connections_rejected == 0);
}

TEST_CASE("connections per source address are capped, and other sources keep theirs", "[http][server][edges]") {
  ServerOptions o = test_options();
  o.first_request_timeout = std::chrono::minutes(10);
  o.max_connections = 100;
  o.max_connections_per_source = 3;
  RunningServer rs(o);
  add_routes(rs.server);
  rs.start();
  RawClient other(rs.port, "127.0.0.2");  // the oldest connection of all, from another address
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 5; ++i) flood.push_back(std::make_unique<RawClient>(rs.port, "127.0.0.1"));
  // 127.0.0.1 holds at most 3: its two oldest went, not the older connection from 127.0.0.2.
  CHECK(flood[0]->closed_by_server(std::chrono::seconds(10)));
  CHECK(flood[1]->closed_by_server(std::chrono::seconds(10)));
  // Every accept has happened once a request on a sixth 127.0.0.1 connection is answered.
  CHECK(http_request("127.0.0.1", rs.port, {.method = "GET", .target = "/v1/hello/s", .token = "s3cret"}).status == 200);
  CHECK(flood[2]->closed_by_server(std::chrono::seconds(10)));
  CHECK(flood[3]->still_open());
  CHECK(flood[4]->still_open());
  CHECK(other.still_open());
  CHECK(rs.server.stats().connections_evicted == 3);
}
