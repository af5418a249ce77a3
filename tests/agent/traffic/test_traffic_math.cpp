// The arithmetic of traffic reports: Gb/s, bin placement, gaps, the recorder's bins and
// intervals, and the TCP engine's hello and receipt.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "agent/traffic/run_recorder.hpp"
#include "agent/traffic/tcp_hello.hpp"
#include "agent/traffic/traffic_math.hpp"

using namespace mixnet;
using namespace mixnet::agent::traffic;

TEST_CASE("Gb/s is decimal: bits / 1e9 per second", "[traffic][math]") {
  CHECK(gbps(125'000'000, 1'000'000'000) == Approx(1.0));        // 1e9 bits in 1 s
  CHECK(gbps(1'250'000'000, 1'000'000'000) == Approx(10.0));
  CHECK(gbps(12'500'000, 10'000'000) == Approx(10.0));           // 10 ms
  CHECK(gbps(1 << 30, 1'000'000'000) == Approx(8.589934592));    // a GiB a second is not 8 Gb/s
  CHECK(gbps(100, 0) == 0.0);
  CHECK(gbps(100, -5) == 0.0);
}

TEST_CASE("bins start at multiples of the bin width", "[traffic][math]") {
  const std::int64_t ms = 1'000'000;
  CHECK(align_down(1'795'936'064'483'090'809, ms) == 1'795'936'064'483'000'000);
  CHECK(align_down(5 * ms, ms) == 5 * ms);
  CHECK(align_down(0, ms) == 0);
  CHECK(align_down(-1, ms) == -ms);
  CHECK(align_down(-ms, ms) == -ms);
  CHECK(align_down(1'234'567, 250'000) == 1'000'000);

  const std::int64_t start = 1'000 * ms;
  CHECK(bin_index(start, start, ms) == 0);
  CHECK(bin_index(start + ms - 1, start, ms) == 0);
  CHECK(bin_index(start + ms, start, ms) == 1);
  CHECK(bin_index(start + 2500 * 1000, start, ms) == 2);
  CHECK(bin_index(start - 1, start, ms) == -1);

  CHECK(bins_for(10 * ms, ms) == 11);       // may straddle one more bin than it spans
  CHECK(bins_for(10 * ms + 1, ms) == 12);
  CHECK(bins_for(0, ms) == 1);
  CHECK(gap_min_bins(10'000, 1'000) == 10);
  CHECK(gap_min_bins(10'001, 1'000) == 11);
  CHECK(gap_min_bins(0, 1'000) == 1);
  CHECK(gap_min_bins(500, 1'000) == 1);
}

TEST_CASE("gaps are runs of empty bins between bins with data", "[traffic][math]") {
  const std::int64_t ms = 1'000'000;
  const std::int64_t t0 = 7'000 * ms;
  // Leading and trailing empties are not gaps; a short dip under the threshold is not either.
  const std::vector<std::uint64_t> bins = {0, 0, 5, 5, 0, 5, 0, 0, 0, 0, 7, 7, 0, 0};
  auto gaps = find_gaps(bins, t0, ms, 3);
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].start_ns == t0 + 6 * ms);
  CHECK(gaps[0].end_ns == t0 + 10 * ms);
  CHECK(gaps[0].bins == 4);

  auto all = find_gaps(bins, t0, ms, 1);
  REQUIRE(all.size() == 2);
  CHECK(all[0].start_ns == t0 + 4 * ms);
  CHECK(all[0].bins == 1);
  CHECK(find_gaps(bins, t0, ms, 0).size() == 2);  // 0 means 1
  CHECK(find_gaps(bins, t0, ms, 5).empty());
  CHECK(find_gaps(std::vector<std::uint64_t>{}, t0, ms, 1).empty());
  CHECK(find_gaps(std::vector<std::uint64_t>{0, 0, 0}, t0, ms, 1).empty());
  CHECK(find_gaps(std::vector<std::uint64_t>{1, 1, 1}, t0, ms, 1).empty());
}

TEST_CASE("the recorder puts bytes in the bin of their time, bounded", "[traffic][recorder]") {
  const std::int64_t ms = 1'000'000;
  const std::int64_t created = 5'000 * ms + 300'000;  // 0.3 ms into a bin
  TrafficSpec spec{.role = Role::server, .port = "eth1"};
  spec.timeline = mixnet::wire::TimelineOptions{.bin_us = 1000, .gap_min_us = 2000};
  RunRecorder rec("tr-1", spec, created, created, 10 * ms);
  REQUIRE(rec.timeline_enabled());

  rec.mark_started(created);
  rec.set_streams(2);
  rec.add_bytes(0, 100, created);                 // bin 0 (starts at 5000 ms)
  rec.add_bytes(1, 50, created + 700'000);        // 5001.0 ms: bin 1
  rec.add_bytes(0, 10, created + 4 * ms);         // 5004.3 ms: bin 4
  rec.add_bytes(0, 1, created - 10 * ms);         // a clock step back lands in bin 0
  rec.add_bytes(1, 999, created + 60 * ms);       // beyond the capacity
  rec.finish(RunState::done, created + 5 * ms);

  const auto r = rec.report(true);
  REQUIRE(r.timeline);
  const auto& t = *r.timeline;
  CHECK(t.start_ns == 5'000 * ms);
  CHECK(t.bin_us == 1000u);
  CHECK(t.capacity == 12);  // 10 ms from 0.3 ms into bin 0
  CHECK(t.bin_count == 6);  // up to the end, 5005.3 ms
  REQUIRE(t.bins.size() == 6);
  CHECK(t.bins == std::vector<std::uint64_t>{101, 50, 0, 0, 10, 0});
  CHECK(t.overflow_bytes == 999);
  REQUIRE(t.gaps.size() == 1);
  CHECK(t.gaps[0].start_ns == 5'002 * ms);
  CHECK(t.gaps[0].end_ns == 5'004 * ms);

  CHECK(r.bytes == 1160);
  REQUIRE(r.per_stream.size() == 2);
  CHECK(r.per_stream[0].bytes == 111);
  CHECK(r.per_stream[1].bytes == 1049);
  CHECK(r.state == "done");
  CHECK(r.seconds == Approx(0.005));
  CHECK(r.gbps == Approx(1160 * 8 / 5e6));
  CHECK_FALSE(r.bytes_confirmed);  // servers confirm nothing

  CHECK(rec.report(false).timeline->bins.empty());   // bins=0
  CHECK(rec.report(false).timeline->bin_count == 6);  // but still counted
}

TEST_CASE("the recorder's bins take concurrent adds without losing any", "[traffic][recorder]") {
  TrafficSpec spec{.role = Role::client, .streams = 4};
  spec.timeline = mixnet::wire::TimelineOptions{};
  const std::int64_t t0 = 1'000'000'000;
  RunRecorder rec("tr-2", spec, t0, t0, 100'000'000);
  std::vector<std::thread> threads;
  for (std::uint32_t s = 0; s < 4; ++s) {
    threads.emplace_back([&rec, s, t0] {
      for (int i = 0; i < 10'000; ++i) rec.add_bytes(s, 3, t0 + (i % 50) * 1'000'000);
    });
  }
  for (auto& t : threads) t.join();
  rec.finish(RunState::done, t0 + 50'000'000);
  const auto r = rec.report(true);
  CHECK(r.bytes == 4 * 10'000 * 3);
  std::uint64_t in_bins = 0;
  for (auto b : r.timeline->bins) in_bins += b;
  CHECK(in_bins == r.bytes);
  REQUIRE(r.per_stream.size() == 4);
  for (const auto& s : r.per_stream) CHECK(s.bytes == 30'000);
}

TEST_CASE("intervals: bytes and Gb/s between samples, and a last partial one", "[traffic][recorder]") {
  TrafficSpec spec{.role = Role::client, .streams = 1};
  const std::int64_t t0 = 2'000'000'000;
  RunRecorder rec("tr-3", spec, t0, t0, 0);
  CHECK_FALSE(rec.timeline_enabled());
  rec.sample_interval(t0 + 1);  // before the start: ignored
  rec.mark_started(t0);
  rec.add_bytes(0, 125'000'000, 0);
  rec.sample_interval(t0 + 1'000'000'000);
  rec.add_bytes(0, 62'500'000, 0);
  rec.sample_interval(t0 + 2'000'000'000);
  rec.add_bytes(0, 12'500'000, 0);
  rec.stream_confirmed(0, 200'000'000);
  rec.finish(RunState::done, t0 + 2'100'000'000);
  const auto r = rec.report(true);
  REQUIRE(r.intervals.size() == 3);
  CHECK(r.intervals[0].start_ns == t0);
  CHECK(r.intervals[0].bytes == 125'000'000u);
  CHECK(r.intervals[0].gbps == Approx(1.0));
  CHECK(r.intervals[1].gbps == Approx(0.5));
  CHECK(r.intervals[2].duration_ns == 100'000'000);
  CHECK(r.intervals[2].gbps == Approx(1.0));
  CHECK(r.gbps == Approx(200'000'000 * 8 / 2.1e9));
  CHECK(r.bytes_confirmed == 200'000'000u);
  CHECK_FALSE(r.timeline);
}

TEST_CASE("stream hello and receipt round trip, bad hellos are refused", "[traffic][tcp]") {
  StreamHello h{.session = 0x0123456789abcdefULL, .stream = 3, .streams = 8, .timeline = true};
  for (std::size_t i = 0; i < h.secret.bytes.size(); ++i) h.secret.bytes[i] = static_cast<std::uint8_t>(i * 17);
  const auto bytes = encode_hello(h);
  auto back = decode_hello(bytes);
  REQUIRE(back);
  CHECK(back->session == h.session);
  CHECK(same_secret(back->secret, h.secret));
  CHECK(back->stream == 3u);
  CHECK(back->streams == 8u);
  CHECK(back->timeline);

  auto bad = bytes;
  bad[0] ^= 1;
  CHECK_FALSE(decode_hello(bad));  // magic
  bad = bytes;
  bad[5] = 9;
  CHECK_FALSE(decode_hello(bad));  // version
  CHECK_FALSE(decode_hello(encode_hello({.stream = 8, .streams = 8})));
  CHECK_FALSE(decode_hello(encode_hello({.stream = 0, .streams = 0})));
  CHECK_FALSE(decode_hello(encode_hello({.stream = 0, .streams = 65})));
  CHECK_FALSE(decode_hello(std::span<const std::uint8_t>(bytes.data(), kHelloSize - 1)));
  // A version-1 hello (32 bytes, no secret) is not read as one: its version is refused.
  bad = bytes;
  bad[5] = 1;
  CHECK_FALSE(decode_hello(bad));

  const auto receipt = encode_receipt(0xfedcba9876543210ULL);
  CHECK(decode_receipt(receipt) == 0xfedcba9876543210ULL);
}
