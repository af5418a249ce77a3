// The transfer dispatcher against real agents in namespaces, veth pairs as the cables: every
// byte of every transfer confirmed; with one run per agent allowed, transfers through a host
// never overlap (they waited for places, none was refused); a transfer whose receiver cannot
// start fails alone, naming its ports, and the others still deliver.
#include <catch2/catch.hpp>


#include "common/clock.hpp"
#include "coordinator/traffic/transfer_dispatch.hpp"
#include "tests/coordinator/support/coord_lab.hpp"
#include "tests/coordinator/support/pool_from_yaml.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;

namespace {

void add_dispatch_hosts(CoordLab& lab) {
  lab.add_host("h1", {{.name = "p1", .cabling = "port: 1"}, {.name = "p2", .cabling = "port: 2"}});
  lab.add_host("h2", {{.name = "q1", .cabling = "port: 3"}, {.name = "q2", .cabling = "port: 4"}});
  lab.cable("h1", "p1", "h2", "q1");
  lab.cable("h1", "p2", "h2", "q2");
  lab.ip("h1", "addr add 198.18.41.1/24 dev p1");
  lab.ip("h2", "addr add 198.18.41.2/24 dev q1");
  lab.ip("h1", "addr add 198.18.42.1/24 dev p2");
  lab.ip("h2", "addr add 198.18.42.2/24 dev q2");
  lab.start_agents();
}

Transfer dispatch_transfer(const std::string& from, const std::string& to, std::uint64_t bytes) {
  return Transfer{*PortRef::parse(from), *PortRef::parse(to), bytes};
}

}  // namespace

TEST_CASE("dispatch_transfers: every byte confirmed, one at a time per agent when only one run fits", "[integration][dispatch]") {
  CoordLab lab;
  add_dispatch_hosts(lab);
  auto pool = pool_from_yaml(lab.inventory_yaml(), lab.dir());
  const std::vector<Transfer> transfers = {
      dispatch_transfer("h1:p1", "h2:q1", 3'000'000), dispatch_transfer("h2:q1", "h1:p1", 2'000'000),
      dispatch_transfer("h1:p2", "h2:q2", 1'000'000), dispatch_transfer("h2:q2", "h1:p2", 500'000),
      dispatch_transfer("h1:p1", "h2:q1", 1),
  };
  TransferDispatchOptions options;
  options.max_runs_per_agent = 1;   // each transfer holds a run on both hosts: one transfer at a time
  const auto result = lab.net.run_in(lab.coord_ns, [&] {
    pool->clock({"h1", "h2"});
    options.deadline_ns = monotonic_ns() + 60'000'000'000;
    return dispatch_transfers(*pool, transfers, options);
  });
  REQUIRE(result.transfers.size() == transfers.size());
  CHECK(result.failed == 0);
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    const auto& t = result.transfers[i];
    INFO(i << ": " << t.message);
    CHECK(t.ok);
    CHECK(t.bytes_confirmed == transfers[i].bytes);
    CHECK(t.start_ns > 0);
    CHECK(t.end_ns >= t.start_ns);
    CHECK_FALSE(t.client_run.empty());
    CHECK_FALSE(t.server_run.empty());
  }
  // In the order given, none overlapping the next: each waited for the one before to end.
  for (std::size_t i = 1; i < transfers.size(); ++i) CHECK(result.transfers[i].start_ns >= result.transfers[i - 1].end_ns);
  CHECK(result.first_start_ns == result.transfers.front().start_ns);
  CHECK(result.last_end_ns == result.transfers.back().end_ns);
  CHECK(result.seconds() > 0);
}

TEST_CASE("dispatch_transfers: a receiver that cannot start fails its transfer alone", "[integration][dispatch]") {
  CoordLab lab;
  add_dispatch_hosts(lab);
  auto pool = pool_from_yaml(lab.inventory_yaml(), lab.dir());
  const std::vector<Transfer> transfers = {dispatch_transfer("h1:p1", "h2:nosuch", 1'000'000), dispatch_transfer("h1:p2", "h2:q2", 1'000'000)};
  TransferDispatchOptions options;
  const auto result = lab.net.run_in(lab.coord_ns, [&] {
    options.deadline_ns = monotonic_ns() + 60'000'000'000;
    return dispatch_transfers(*pool, transfers, options);
  });
  CHECK(result.failed == 1);
  CHECK_FALSE(result.transfers[0].ok);
  CHECK_THAT(result.transfers[0].message, Catch::StartsWith("h1:p1 -> h2:nosuch: the receiver could not start: h2: POST /v1/traffic/servers"));
  CHECK(result.transfers[1].ok);
  CHECK(result.transfers[1].bytes_confirmed == 1'000'000);
}
