#pragma once
// Bandwidth the way perftest's ib_write_bw / ib_read_bw / ib_send_bw compute it
// (print_report_bw in perftest_resources.c), as pure functions over the run's timestamps.
//
//   average [Gb/s] = size x messages x 8 / (last completion - first post) / 1e9
//       messages = iterations x qps in iteration mode (-n); in duration mode (-D) the messages
//       completed between the end of the first margin and the start of the last (-f), and the
//       times are those two instants.
//   peak [Gb/s]    = size x 8 / 1e9 / min over windows of (t_completed[j] - t_posted[i]) / (j - i + 1)
//       i runs over every post; j over the completion slots at CQ-moderation boundaries from
//       ROUND_UP(i + 1, cq_mod) - 1 in steps of cq_mod (only every cq_mod-th WR is signalled,
//       so only those slots hold a time; the last WR's completion fills the last slot).
//       The starting best is t_completed[0] - t_posted[0], as in perftest. The division is an
//       integer one, as perftest's on cycles; ours is on nanoseconds.
//       perftest disables the peak (-N) in duration mode and above 20000 iterations: so do we.
//   --report_gbits: decimal, bits / 1e9. (perftest's default unit is MiB/s = 2^20 bytes.)
//   message rate [Mpps] = messages / seconds / 1e6.
//
// perftest options and ours: -s size, -n iterations, -D duration_ms, -t tx_depth, -q qps,
// -Q cq_mod, -x gid_index, -d/-i (device/port: from the netdev), --report_gbits (always).
#include <cstdint>
#include <optional>
#include <span>

namespace mixnet::agent::traffic::rdma {

inline constexpr std::uint64_t kPeakMaxIterations = 20000;

// perftest's rule for computing a peak at all.
bool peak_enabled(bool duration_mode, std::uint64_t iterations_per_qp);

// Average Gb/s; 0 when no time passed.
double average_gbps(std::uint64_t size, std::uint64_t messages, std::int64_t first_post_ns,
                    std::int64_t last_completion_ns);

// Message rate in millions per second; 0 when no time passed.
double message_rate_mpps(std::uint64_t messages, std::int64_t first_post_ns, std::int64_t last_completion_ns);

// Peak Gb/s from posted[i] (every post, all QPs, in posting order) and completed[j] (a time at
// every cq_mod boundary slot j = k*cq_mod - 1 and at the last slot). Both spans hold
// iterations x qps entries. nullopt when empty or when no window took time.
std::optional<double> peak_gbps(std::uint64_t size, std::uint32_t cq_mod, std::span<const std::int64_t> posted,
                                std::span<const std::int64_t> completed);

}  // namespace mixnet::agent::traffic::rdma
