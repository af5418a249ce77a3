// The transfer dispatcher when an agent has forgotten a run (it keeps only its last 64 finished
// ones, and a loaded 32-host layer finishes that many before a delayed read arrives): against
// agent doubles on 127.0.0.1 whose traffic routes are scripted, so what only load makes happen
// with real agents happens every time. A forgotten sender is judged by its receiver's report;
// a receiver short of bytes fails the transfer, naming both runs; a transfer whose two runs are
// both forgotten fails, saying so.
#include <catch2/catch.hpp>

#include <chrono>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/traffic/transfer_dispatch.hpp"
#include "tests/coordinator/support/fake_agent.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

struct TwoFakeHosts {
  FakeAgent sender{"agent-h1", "tok"};
  FakeAgent receiver{"agent-h2", "tok"};
  AgentPool pool{{{.host = "h1", .url = sender.url(), .token = "tok"}, {.host = "h2", .url = receiver.url(), .token = "tok"}},
                 [] {
                   AgentPoolOptions o;
                   o.request_timeout = 3000ms;
                   o.connect_timeout = 1000ms;
                   return o;
                 }()};

  TransferDispatchResult dispatch(std::uint64_t bytes) {
    TransferDispatchOptions options;
    options.deadline_ns = monotonic_ns() + 20'000'000'000;
    return dispatch_transfers(pool, {Transfer{*PortRef::parse("h1:p1"), *PortRef::parse("h2:q1"), bytes}}, options);
  }
};

}  // namespace

TEST_CASE("dispatch_transfers: a sender's run its agent forgot is judged by the receiver's report", "[unit][dispatch]") {
  TwoFakeHosts hosts;
  hosts.sender.script_traffic({.forget_senders = true});
  hosts.receiver.script_traffic({.received_bytes = 4096});
  const auto result = hosts.dispatch(4096);
  REQUIRE(result.transfers.size() == 1);
  const TransferOutcome& t = result.transfers[0];
  INFO(t.message);
  CHECK(t.ok);
  CHECK(result.failed == 0);
  CHECK(t.bytes_confirmed == 4096);
  CHECK(t.client_run == "tr-1");
  CHECK(t.server_run == "tr-1");
  // The stamps are the receiver's: its first and last byte.
  CHECK(t.start_ns > 0);
  CHECK(t.end_ns > t.start_ns);
  // The sender was asked once, then the receiver (its start, then its report).
  CHECK(hosts.sender.requests("/v1/traffic/runs") == 2);     // the start and the read that found it gone
  CHECK(hosts.receiver.requests("/v1/traffic/servers") == 1);
  CHECK(hosts.receiver.requests("/v1/traffic/runs") == 1);
}

TEST_CASE("dispatch_transfers: a forgotten sender whose receiver got too few bytes fails, naming both runs", "[unit][dispatch]") {
  TwoFakeHosts hosts;
  hosts.sender.script_traffic({.forget_senders = true});
  hosts.receiver.script_traffic({.received_bytes = 1000});
  const auto result = hosts.dispatch(4096);
  REQUIRE(result.transfers.size() == 1);
  const TransferOutcome& t = result.transfers[0];
  CHECK_FALSE(t.ok);
  CHECK(result.failed == 1);
  CHECK(t.bytes_confirmed == 1000);
  CHECK_THAT(t.message, Catch::Contains("h1:p1 -> h2:q1"));
  CHECK_THAT(t.message, Catch::Contains("the receiver's run tr-1 got 1000 of 4096 bytes"));
  CHECK_THAT(t.message, Catch::Contains("the sender's run tr-1 was forgotten"));
}

TEST_CASE("dispatch_transfers: a transfer whose sender and receiver runs were both forgotten fails, saying so", "[unit][dispatch]") {
  TwoFakeHosts hosts;
  hosts.sender.script_traffic({.forget_senders = true});
  hosts.receiver.script_traffic({.forget_receivers = true});
  const auto result = hosts.dispatch(4096);
  REQUIRE(result.transfers.size() == 1);
  const TransferOutcome& t = result.transfers[0];
  CHECK_FALSE(t.ok);
  CHECK(result.failed == 1);
  CHECK(t.bytes_confirmed == 0);
  CHECK_THAT(t.message, Catch::Contains("reading the sender's run tr-1"));
  CHECK_THAT(t.message, Catch::Contains("and the receiver's run tr-1"));
  CHECK_THAT(t.message, Catch::Contains("no traffic run 'tr-1'"));
}

TEST_CASE("dispatch_transfers: a sender still known is judged by its own report, the receiver is not read", "[unit][dispatch]") {
  TwoFakeHosts hosts;
  hosts.receiver.script_traffic({.received_bytes = 0});   // would fail the transfer, were it read
  const auto result = hosts.dispatch(4096);
  REQUIRE(result.transfers.size() == 1);
  const TransferOutcome& t = result.transfers[0];
  INFO(t.message);
  CHECK(t.ok);
  CHECK(t.bytes_confirmed == 4096);
  CHECK(hosts.receiver.requests("/v1/traffic/runs") == 0);
}
