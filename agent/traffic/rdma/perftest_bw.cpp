#include "agent/traffic/rdma/perftest_bw.hpp"

#include <algorithm>
#include <cstdint>

namespace mixnet::agent::traffic::rdma {

bool peak_enabled(bool duration_mode, std::uint64_t iterations_per_qp) {
  return !duration_mode && iterations_per_qp <= kPeakMaxIterations;
}

double average_gbps(std::uint64_t size, std::uint64_t messages, std::int64_t first_post_ns,
                    std::int64_t last_completion_ns) {
  const std::int64_t span = last_completion_ns - first_post_ns;
  if (span <= 0) return 0;
  // bits per nanosecond = Gb/s (decimal)
  return static_cast<double>(size) * static_cast<double>(messages) * 8.0 / static_cast<double>(span);
}

double message_rate_mpps(std::uint64_t messages, std::int64_t first_post_ns, std::int64_t last_completion_ns) {
  const std::int64_t span = last_completion_ns - first_post_ns;
  if (span <= 0) return 0;
  return static_cast<double>(messages) * 1e3 / static_cast<double>(span);
}

std::optional<double> peak_gbps(std::uint64_t size, std::uint32_t cq_mod, std::span<const std::int64_t> posted,
                                std::span<const std::int64_t> completed) {
  const std::size_t n = std::min(posted.size(), completed.size());
  if (n == 0 || cq_mod == 0) return std::nullopt;
  // The same loops as perftest's print_report_bw (post_list = 1).
  // perftest starts from tcompleted[0] - tposted[0] in unsigned cycles: where slot 0 holds no
  // completion (cq_mod > 1) that difference wraps to a huge value, i.e. "no window yet".
  std::int64_t best = completed[0] > 0 && completed[0] >= posted[0] ? completed[0] - posted[0] : INT64_MAX;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t first_j = (i + 1 + cq_mod - 1) / cq_mod * cq_mod - 1;  // ROUND_UP(i + 1, cq_mod) - 1
    for (std::size_t j = first_j; j < n; j += cq_mod) {
      const std::int64_t t = (completed[j] - posted[i]) / static_cast<std::int64_t>(j - i + 1);
      if (t < best) best = t;
    }
  }
  if (best <= 0 || best == INT64_MAX) return std::nullopt;
  return static_cast<double>(size) * 8.0 / static_cast<double>(best);
}

}  // namespace mixnet::agent::traffic::rdma
