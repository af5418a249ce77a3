#pragma once
// The arithmetic behind traffic reports, kept pure so it is unit-tested on its own: decimal Gb/s,
// timeline bin placement, and gaps (outages) found in a series of bins.
#include <cstdint>
#include <span>
#include <vector>

#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

// Decimal gigabits per second: bytes * 8 / 1e9 / seconds, i.e. bits per nanosecond. 0 when no time passed.
double gbps(std::uint64_t bytes, std::int64_t elapsed_ns);

// The start of the bin holding t: the largest multiple of bin_ns not after t (also for t < 0).
std::int64_t align_down(std::int64_t t_ns, std::int64_t bin_ns);

// Which bin of a timeline starting at start_ns holds t; -1 when t is before the start.
std::int64_t bin_index(std::int64_t t_ns, std::int64_t start_ns, std::int64_t bin_ns);

// How many bins a run of this length needs (its start may fall anywhere inside bin 0).
std::uint64_t bins_for(std::int64_t duration_ns, std::int64_t bin_ns);

// Runs of at least min_bins empty bins that lie between bins with data. Empty bins before the
// first data and after the last are not gaps: traffic had not started, or has ended (or is in an
// outage that has not ended yet).
std::vector<wire::TrafficGap> find_gaps(std::span<const std::uint64_t> bins, std::int64_t start_ns,
                                        std::int64_t bin_ns, std::uint64_t min_bins);

// min_bins for a gap_min_us threshold: at least one bin.
std::uint64_t gap_min_bins(std::uint64_t gap_min_us, std::uint32_t bin_us);

}  // namespace mixnet::agent::traffic
