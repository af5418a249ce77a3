// Benchmark of the OCS drivers against mixnet-ocs-emu in process, switching time 0: the round
// trip of a 16-port re-patch (8 circuits move: 8 disconnects and 8 connects in one apply())
// through each driver, and the TL1 codec's reply parsing throughput. Prints figures; asserts
// nothing about timing (a shared CI machine is no place for that).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/logging.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/tl1_codec.hpp"
#include "tools/ocs-emu/emulator.hpp"

using namespace mixnet;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string calient_name(int p) {
  const int i = p - 1;
  return std::to_string(i / 64 + 1) + "." + std::to_string((i % 64) / 8 + 1) + "." + std::to_string(i % 8 + 1);
}

int bench_driver(const std::string& scheme, unsigned short port, bool calient, int reps) {
  auto sw = ocs::open_switch(scheme + "://admin:root@127.0.0.1:" + std::to_string(port) + "?keepalive-s=0");
  if (!sw) {
    std::fprintf(stderr, "open %s: %s\n", scheme.c_str(), sw.error().describe().c_str());
    return 1;
  }
  auto name = [&](int p) { return calient ? calient_name(p) : std::to_string(p); };
  // Inputs 1..8 alternate between outputs 17..24 in order and rotated by one: 16 ports change.
  auto topology = [&](int shift) {
    ocs::ChangeSet c;
    for (int i = 1; i <= 8; ++i) {
      c.disconnect.push_back(name(i));
      c.connect.push_back(ocs::CrossConnect{name(i), name(17 + (i - 1 + shift) % 8), false});
    }
    return c;
  };
  const auto a = topology(0);
  const auto b = topology(1);
  if (auto r = (*sw)->apply(a); !r) {   // warm-up: log in, set topology A
    std::fprintf(stderr, "%s: %s\n", scheme.c_str(), r.error().describe().c_str());
    return 1;
  }
  std::vector<double> wall_ms, ack_ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    auto r = (*sw)->apply(i % 2 == 0 ? b : a);
    const auto t1 = Clock::now();
    if (!r) {
      std::fprintf(stderr, "%s: %s\n", scheme.c_str(), r.error().describe().c_str());
      return 1;
    }
    wall_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    ack_ms.push_back(static_cast<double>(r->timing.acked_ns - r->timing.sent_ns) / 1e6);
  }
  std::vector<double> list_ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    if (auto r = (*sw)->list(); !r) {
      std::fprintf(stderr, "%s: %s\n", scheme.c_str(), r.error().describe().c_str());
      return 1;
    }
    list_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::printf("%-13s list() x%d (one round trip): median %.3f ms, p99 %.3f ms\n", scheme.c_str(), reps,
              percentile(list_ms, 0.5), percentile(list_ms, 0.99));
  std::printf("%-13s 16-port re-patch x%d: median %.3f ms, p99 %.3f ms (wall); sent->acked median %.3f ms, p99 %.3f ms\n",
              scheme.c_str(), reps, percentile(wall_ms, 0.5), percentile(wall_ms, 0.99), percentile(ack_ms, 0.5),
              percentile(ack_ms, 0.99));
  return 0;
}

int bench_codec() {
  using namespace ocs::tl1;
  // A RTRV-PATCH reply of a 16x16 switch: 16 lines, about 330 bytes.
  Reply reply{.tid = "POLATIS", .date = "26-11-29", .time = "07:00:00", .ctag = "1"};
  for (int i = 1; i <= 16; ++i) reply.lines.push_back(std::to_string(i) + "," + std::to_string(16 + i));
  std::string stream;
  constexpr int kReplies = 20000;
  for (int i = 0; i < kReplies; ++i) {
    reply.ctag = std::to_string(i);
    stream += format_reply(reply);
  }
  for (std::size_t chunk : {std::size_t{1500}, std::size_t{64}}) {
    ReplyFramer f;
    int parsed = 0;
    const auto t0 = Clock::now();
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      f.feed(std::string_view(stream).substr(pos, chunk));
      for (;;) {
        auto r = f.next();
        if (!r) return 1;
        if (!r->has_value()) break;
        ++parsed;
      }
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (parsed != kReplies) {
      std::fprintf(stderr, "codec: parsed %d of %d replies\n", parsed, kReplies);
      return 1;
    }
    std::printf("tl1 codec: %d replies of 16 lines (%zu bytes each) in %zu-byte reads: %.0f replies/s, %.1f MB/s\n",
                kReplies, stream.size() / kReplies, chunk, parsed / s, static_cast<double>(stream.size()) / s / 1e6);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (reps < 1) {
    std::fprintf(stderr, "usage: %s [REPETITIONS]\n", argv[0]);
    return 2;
  }
  (void)setup_logging("warn", "ocs-drivers-bench");
  ocs_emu::EmulatorOptions o;
  o.serve_calient = true;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  if (auto s = emu.start(); !s) {
    std::fprintf(stderr, "emulator: %s\n", s.error().describe().c_str());
    return 1;
  }
  int rc = 0;
  rc |= bench_driver("polatis-tl1", emu.tl1_port(), false, reps);
  rc |= bench_driver("polatis-rest", emu.rest_port(), false, reps);
  rc |= bench_driver("calient-tl1", emu.calient_port(), true, reps);
  emu.stop();
  rc |= bench_codec();
  return rc;
}
