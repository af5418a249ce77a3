// The bandwidth formula against examples worked by hand from perftest's print_report_bw.
#include <catch2/catch.hpp>

#include <vector>

#include "agent/traffic/rdma/perftest_bw.hpp"

using namespace mixnet::agent::traffic::rdma;

TEST_CASE("perftest average: size x iterations x 8 over last completion - first post, decimal Gb/s", "[rdma][bw]") {
  // ib_write_bw defaults: 65536 B x 5000 iterations, one QP, done in 27 ms.
  // 65536 x 5000 x 8 = 2,621,440,000 bits / 0.027 s = 97.0903703... Gb/s
  CHECK(average_gbps(65536, 5000, 1'000'000, 28'000'000) == Approx(2621440000.0 / 27e6).epsilon(1e-12));
  CHECK(average_gbps(65536, 5000, 1'000'000, 28'000'000) == Approx(97.0903703704).epsilon(1e-9));
  // Two QPs: the messages are iterations x qps. 8 MiB x 2 x 1000 in 1.5 s = 89.478... Gb/s
  CHECK(average_gbps(8388608, 2000, 0, 1'500'000'000) == Approx(8388608.0 * 2000 * 8 / 1.5e9));
  // Not MiB/s: 1e9 bytes in 1 s is 8 Gb/s, not 953.67.
  CHECK(average_gbps(1'000'000'000, 1, 0, 1'000'000'000) == Approx(8.0));
  CHECK(average_gbps(65536, 10, 5, 5) == 0);
  CHECK(message_rate_mpps(5000, 1'000'000, 28'000'000) == Approx(0.185185185).epsilon(1e-8));
}

TEST_CASE("perftest peak: best window aligned to CQ-moderation slots, integer division", "[rdma][bw]") {
  // cq_mod 2, four posts; slots 1 and 3 hold completions (0 and 2 are never written).
  const std::vector<std::int64_t> posted{0, 10, 20, 30};
  const std::vector<std::int64_t> completed{0, 100, 0, 131};
  // Windows: i=0: j=1 100/2=50, j=3 131/4=32 (32.75 truncated); i=1: 90/1, 121/3=40;
  // i=2: j=3 111/2=55; i=3: j=3 101/1. Best 32 ns per message -> 1000 x 8 / 32 = 250 Gb/s.
  const auto peak = peak_gbps(1000, 2, posted, completed);
  REQUIRE(peak.has_value());
  CHECK(*peak == Approx(250.0));
  // The average over the same run: 4000 x 8 / 131 = 244.27 Gb/s; the peak is above it.
  CHECK(average_gbps(1000, 4, posted.front(), completed.back()) == Approx(32000.0 / 131));

  // A fast start: slot 1 at 60 -> i=0, j=1: 60/2 = 30 -> 266.67 Gb/s.
  const std::vector<std::int64_t> early{0, 60, 0, 200};
  CHECK(*peak_gbps(1000, 2, posted, early) == Approx(8000.0 / 30));
}

TEST_CASE("perftest peak with cq_mod 1 starts from the first message's own time", "[rdma][bw]") {
  // Every WR signalled: slot j is WR j's completion. Windows (c[j]-p[i])/(j-i+1):
  // i=0: 40/1, 50/2=25, 90/3=30; i=1: 45/1=45, 85/2=42; i=2: 80/1. Best 25 -> 4096 x 8 / 25.
  const std::vector<std::int64_t> posted{0, 5, 10};
  const std::vector<std::int64_t> completed{40, 50, 90};
  CHECK(*peak_gbps(4096, 1, posted, completed) == Approx(4096.0 * 8 / 25));
}

TEST_CASE("perftest peak: none when there is nothing to measure", "[rdma][bw]") {
  const std::vector<std::int64_t> none;
  CHECK_FALSE(peak_gbps(1000, 2, none, none).has_value());
  const std::vector<std::int64_t> one_post{0};
  const std::vector<std::int64_t> no_slot{0};
  CHECK_FALSE(peak_gbps(1000, 2, one_post, no_slot).has_value());  // cq_mod 2 and one message: no slot
}

TEST_CASE("perftest disables the peak in duration mode and above 20000 iterations", "[rdma][bw]") {
  CHECK(peak_enabled(false, 5000));
  CHECK(peak_enabled(false, 20000));
  CHECK_FALSE(peak_enabled(false, 20001));
  CHECK_FALSE(peak_enabled(true, 100));
}
