#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace mixnet::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

HttpReply http_request(const std::string& host, unsigned short port, const HttpCall& call) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(call.timeout);
  beast::error_code ec;
  stream.connect(tcp::endpoint(boost::asio::ip::make_address(host), port), ec);
  if (ec) throw std::runtime_error("connect " + host + ":" + std::to_string(port) + ": " + ec.message());

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(call.method), call.target, 11};
  req.set(bhttp::field::host, host);
  if (call.token) req.set(bhttp::field::authorization, "Bearer " + *call.token);
  if (!call.body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = call.body;
  }
  for (const auto& [k, v] : call.headers) req.set(k, v);  // the caller's headers win
  req.prepare_payload();

  // Deadlines: Beast's tcp_stream applies the expiry to each async op; for the sync calls
  // we use the socket directly with a bounded io run.
  bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  io.run();
  if (ec) throw std::runtime_error("write " + call.target + ": " + ec.message());
  io.restart();
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream.expires_after(call.timeout);
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  io.run();
  if (ec) throw std::runtime_error("read reply to " + call.target + ": " + ec.message());
  HttpReply reply;
  const auto& res = parser.get();
  reply.status = res.result_int();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(f.value());
  }
  reply.body = res.body();
  return reply;
}

}  // namespace mixnet::testing
