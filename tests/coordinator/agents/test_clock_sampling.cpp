// Clock samples against agents whose true offset is known: fakes on 127.0.0.1 whose clocks run
// tens of ms ahead, behind lopsided paths that change from one request to the next, many of them
// in one batch. The claim under test (docs/measurement.md, "Clock alignment"): each sample's
// [t_send, t_recv] brackets the agent's reading, so every estimate lies within its stated
// uncertainty of the truth, however late the multi loop gets round to a finished transfer.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/agents/clock_sampler.hpp"
#include "tests/coordinator/support/fake_agent.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using mixnet::testing::FakeAgent;
using namespace std::chrono_literals;

namespace {

struct SkewedAgents {
  std::vector<std::unique_ptr<FakeAgent>> fakes;
  std::vector<std::string> hosts;
  std::vector<std::int64_t> offset_ns;   // the truth: agent clock - this machine's clock
  std::unique_ptr<AgentPool> pool;

  explicit SkewedAgents(int n) {
    std::vector<AgentEndpoint> endpoints;
    for (int i = 0; i < n; ++i) {
      hosts.push_back("h" + std::to_string(i));
      fakes.push_back(std::make_unique<FakeAgent>(hosts.back() + "-agent", "t"));
      endpoints.push_back({.host = hosts.back(), .url = fakes.back()->url(), .token = "t"});
      offset_ns.push_back(20'000'000 + std::int64_t{i} * 1'300'000);   // 20 .. 60 ms ahead
    }
    AgentPoolOptions o;
    o.request_timeout = 5000ms;
    o.connect_timeout = 2000ms;
    o.attempts = 1;
    pool = std::make_unique<AgentPool>(std::move(endpoints), o);
  }
};

}  // namespace

TEST_CASE("every agent's clock estimate holds its true offset within the stated uncertainty", "[unit][agents][clock]") {
  // 32 agents sampled in one batch per round, as measure.reconfig does. Each agent's path
  // changes per request: up to 2.5 ms before it reads its clock and up to 2.5 ms after, drawn
  // independently (some read at once, some answer at once), so replies from many agents land
  // together and the loop handles them one after another.
  constexpr int kAgents = 32;
  constexpr int kRounds = 6;
  SkewedAgents lab(kAgents);
  for (int i = 0; i < kAgents; ++i) {
    std::mt19937 rng(1000 + i);
    std::uniform_int_distribution<int> us(0, 2500);
    std::vector<FakeAgent::ClockPath> paths;
    for (int k = 0; k < kRounds; ++k) {
      FakeAgent::ClockPath p{std::chrono::microseconds(us(rng)), std::chrono::microseconds(us(rng))};
      if ((i + k) % 3 == 0) p.before = 0us;   // reads its clock the moment the request is in
      paths.push_back(p);
    }
    lab.fakes[i]->skew_clock(std::chrono::nanoseconds(lab.offset_ns[i]), paths);
  }

  const auto sampled = sample_clocks(*lab.pool, lab.hosts, kRounds, monotonic_ns() + 30'000'000'000);
  CHECK(sampled.errors.empty());
  REQUIRE(sampled.samples.size() == kAgents);
  int samples_checked = 0;
  for (int i = 0; i < kAgents; ++i) {
    const std::string& h = lab.hosts[i];
    const std::int64_t truth = lab.offset_ns[i];
    INFO(h << ": true offset " << truth << " ns");
    REQUIRE(sampled.samples.contains(h));
    const auto& samples = sampled.samples.at(h);
    CHECK(samples.size() == kRounds);
    // Each sample on its own: the truth lies in [agent - t_recv, agent - t_send].
    for (const auto& s : samples) {
      INFO("sample: t_send " << s.t_send_ns << ", agent " << s.agent_ns << ", t_recv " << s.t_recv_ns << "; interval ["
                             << (s.agent_ns - s.t_recv_ns - truth) << ", " << (s.agent_ns - s.t_send_ns - truth)
                             << "] ns around the truth");
      CHECK(s.agent_ns - s.t_recv_ns <= truth);
      CHECK(truth <= s.agent_ns - s.t_send_ns);
      ++samples_checked;
    }
    const auto est = measure::estimate_offset("agent:" + h, samples);
    REQUIRE(est.has_value());
    INFO("estimate " << est->offset_ns << " +- " << est->uncertainty_ns << " ns (best round trip " << est->best_rtt_ns << " ns)");
    CHECK(std::llabs(est->offset_ns - truth) <= est->uncertainty_ns);
    CHECK(est->consistent);
    // The pool's own offset (links.verify uses it) is the same estimate.
    CHECK(lab.pool->clock_offset_ns(h) == est->offset_ns);
  }
  CHECK(samples_checked == kAgents * kRounds);
}

TEST_CASE("a clock reply the loop handles late, behind other callbacks' work, still brackets the reading", "[unit][agents][clock]") {
  // 16 agents read their clock at once and answer 1 ms later, so the replies arrive together;
  // every callback then works for 2 ms (as a step's own handling of a reply may), so the loop
  // reaches the last finished transfers some 30 ms after libcurl read them. The stamps must still
  // be the moments the request left and the answer came in.
  constexpr int kAgents = 16;
  SkewedAgents lab(kAgents);
  for (int i = 0; i < kAgents; ++i) lab.fakes[i]->skew_clock(std::chrono::nanoseconds(lab.offset_ns[i]), {{0us, 1000us}});

  std::vector<std::optional<JsonReply>> got(kAgents);
  int left = kAgents;
  for (int i = 0; i < kAgents; ++i) {
    lab.pool->submit({.host = lab.hosts[i], .target = "/v1/clock"}, [&got, &left, i](JsonReply r) {
      got[i] = std::move(r);
      --left;
      std::this_thread::sleep_for(2ms);
    });
  }
  lab.pool->run(monotonic_ns() + 20'000'000'000, [&] { return left == 0; });
  REQUIRE(left == 0);
  for (int i = 0; i < kAgents; ++i) {
    INFO(lab.hosts[i]);
    REQUIRE(got[i].has_value());
    REQUIRE(got[i]->ok());
    const auto reply = wire::decode<wire::ClockReply>(*got[i]->value, "clock");
    REQUIRE(reply.has_value());
    // The agent's reading moved onto this machine's clock by the known offset.
    const std::int64_t read_at = reply->realtime_ns - lab.offset_ns[i];
    INFO("request out " << got[i]->request_out_ns << ", reading " << read_at << ", response in " << got[i]->response_in_ns
                        << ": the request is stamped " << (got[i]->request_out_ns - read_at) << " ns after the reading");
    CHECK(got[i]->request_out_ns > 0);
    CHECK(got[i]->request_out_ns <= read_at);
    CHECK(read_at <= got[i]->response_in_ns);
  }
}
