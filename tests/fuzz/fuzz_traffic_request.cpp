// Fuzzes the agent's traffic-test request validation (POST /v1/traffic/servers, /runs, /runs/{id}/peer
// with their TCP and RDMA fields) and the report decoder the coordinator runs on agent replies
// (common/wire, no I/O), a server's start answer with its run secret included. The first byte picks
// the parser. Beyond "no crash": every refusal names a field, an accepted server or run request
// survives a JSON round trip, and so does a start answer's secret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/wire/traffic_api.hpp"

namespace {

using namespace mixnet;

void check(bool ok) {
  if (!ok) std::abort();
}

template <class R>
bool refused_with_field(const R& r) {
  return !r.has_value() && !r.error().field.empty();
}

void server(std::string_view body) {
  auto req = wire::parse_traffic_server_body(body);
  if (!req) {
    check(refused_with_field(req));
    return;
  }
  const nlohmann::json j = *req;
  check(wire::parse_traffic_server_request(j).has_value());
}

void run(std::string_view body) {
  auto req = wire::parse_traffic_run_body(body);
  if (!req) {
    check(refused_with_field(req));
    return;
  }
  const nlohmann::json j = *req;
  check(wire::parse_traffic_run_request(j).has_value());
}

void peer(std::string_view body) {
  auto req = wire::parse_traffic_peer_body(body);
  if (!req) check(refused_with_field(req));
}

void report(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return;
  (void)wire::decode_traffic_run_report(j);
  // A server's start answer: a TCP server's secret is well-formed and survives a round trip.
  auto started = wire::decode_traffic_server_started(j);
  if (!started) return;
  check(started->report.transport == "tcp" ? started->secret.size() == wire::kRunSecretHexDigits : started->secret.empty());
  const nlohmann::json again = *started;
  auto back = wire::decode_traffic_server_started(again);
  check(back.has_value() && back->secret == started->secret);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: server(input); break;
    case 1: run(input); break;
    case 2: peer(input); break;
    default: report(input); break;
  }
  return 0;
}
