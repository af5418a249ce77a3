// Fuzzes the agent's request validation: the JSON bodies of POST /v1/ports/{name}/config and
// POST /v1/probes, and the query strings of GET /v1/events and /v1/neighbors, exactly as the
// agent runs them (common/wire, no I/O). The first byte picks the parser; the rest is the input.
// Beyond "no crash", it checks properties: whatever validates survives a JSON round trip
// unchanged, and normalized addresses are fixed points of normalization.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/cidr.hpp"
#include "common/http/target.hpp"
#include "common/wire/agent_api.hpp"

namespace {

using namespace mixnet;

void check(bool ok) {
  if (!ok) std::abort();
}

void configure(std::string_view body) {
  auto req = wire::parse_configure_body(body);
  if (!req) {
    check(!req.error().field.empty());  // every refusal names a field
    return;
  }
  check(!req->empty());
  check(!req->mtu || (*req->mtu >= wire::kMinMtu && *req->mtu <= wire::kMaxMtu));
  for (const auto& a : req->add_addresses) check(normalize_cidr(a, "a").value_or("") == a);
  for (const auto& a : req->remove_addresses) check(normalize_cidr(a, "a").value_or("") == a);
  const nlohmann::json j = *req;
  auto again = wire::parse_configure_request(j);
  check(again.has_value());
  check(again->admin_up == req->admin_up && again->mtu == req->mtu && again->add_addresses == req->add_addresses &&
        again->remove_addresses == req->remove_addresses);
}

void probe(std::string_view body) {
  auto req = wire::parse_probe_body(body);
  if (!req) {
    check(!req.error().field.empty());
    return;
  }
  check(req->count >= 1 && req->count <= wire::kMaxProbeCount);
  check(req->ports.size() <= wire::kMaxProbePorts);
  const nlohmann::json j = *req;
  auto again = wire::parse_probe_request(j);
  check(again.has_value());
  check(again->ports == req->ports && again->count == req->count && again->nonce == req->nonce);
}

void query(std::string_view target, bool events) {
  auto t = http::parse_target(target);
  if (!t) return;
  if (events) {
    auto q = wire::parse_events_query(t->query);
    if (q) check(q->wait_ms <= wire::kMaxWaitMs && q->limit >= 1 && q->limit <= wire::kMaxEventsPerPage);
    else check(!q.error().field.empty());
  } else {
    auto q = wire::parse_neighbors_query(t->query);
    if (q && q->port) check(wire::validate_port_name(*q->port, "port").has_value());
    if (!q) check(!q.error().field.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: configure(rest); break;
    case 1: probe(rest); break;
    case 2: query(rest, true); break;
    case 3: query(rest, false); break;
    default: {
      auto cidr = normalize_cidr(rest, "address");
      if (cidr) check(normalize_cidr(*cidr, "address").value_or("") == *cidr);
      break;
    }
  }
  return 0;
}
