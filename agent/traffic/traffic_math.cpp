#include "agent/traffic/traffic_math.hpp"

namespace mixnet::agent::traffic {

double gbps(std::uint64_t bytes, std::int64_t elapsed_ns) {
  if (elapsed_ns <= 0) return 0.0;
  return static_cast<double>(bytes) * 8.0 / static_cast<double>(elapsed_ns);
}

std::int64_t align_down(std::int64_t t_ns, std::int64_t bin_ns) {
  const std::int64_t r = t_ns % bin_ns;
  return r < 0 ? t_ns - r - bin_ns : t_ns - r;
}

std::int64_t bin_index(std::int64_t t_ns, std::int64_t start_ns, std::int64_t bin_ns) {
  if (t_ns < start_ns) return -1;
  return (t_ns - start_ns) / bin_ns;
}

std::uint64_t bins_for(std::int64_t duration_ns, std::int64_t bin_ns) {
  if (duration_ns <= 0) return 1;
  // The run may start just before a bin boundary, so it can touch one bin more than it spans.
  return static_cast<std::uint64_t>((duration_ns + bin_ns - 1) / bin_ns) + 1;
}

std::vector<wire::TrafficGap> find_gaps(std::span<const std::uint64_t> bins, std::int64_t start_ns,
                                        std::int64_t bin_ns, std::uint64_t min_bins) {
  std::vector<wire::TrafficGap> gaps;
  if (min_bins == 0) min_bins = 1;
  bool seen_data = false;
  std::size_t empty_from = 0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    if (bins[i] == 0) continue;
    if (seen_data && i > empty_from && i - empty_from >= min_bins) {
      gaps.push_back(wire::TrafficGap{.start_ns = start_ns + static_cast<std::int64_t>(empty_from) * bin_ns,
                                      .end_ns = start_ns + static_cast<std::int64_t>(i) * bin_ns,
                                      .bins = i - empty_from});
    }
    seen_data = true;
    empty_from = i + 1;
  }
  return gaps;
}

std::uint64_t gap_min_bins(std::uint64_t gap_min_us, std::uint32_t bin_us) {
  if (bin_us == 0) return 1;
  const std::uint64_t n = (gap_min_us + bin_us - 1) / bin_us;
  return n == 0 ? 1 : n;
}

}  // namespace mixnet::agent::traffic
