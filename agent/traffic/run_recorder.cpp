#include "agent/traffic/run_recorder.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "agent/traffic/traffic_math.hpp"
#include "common/clock.hpp"

namespace mixnet::agent::traffic {

std::string_view to_string(Role role) { return role == Role::server ? "server" : "client"; }

std::string_view to_string(RunState state) {
  switch (state) {
    case RunState::starting: return "starting";
    case RunState::running: return "running";
    case RunState::done: return "done";
    case RunState::failed: return "failed";
    case RunState::cancelled: return "cancelled";
  }
  return "unknown";
}

RunRecorder::RunRecorder(std::string id, const TrafficSpec& spec, std::int64_t created_ns,
                         std::int64_t timeline_start_ns, std::int64_t timeline_horizon_ns)
    : id_(std::move(id)),
      spec_(spec),
      created_ns_(created_ns),
      streams_(spec.role == Role::client ? spec.streams : 0),
      tcp_port_(spec.tcp_port),
      stream_bytes_(new std::atomic<std::uint64_t>[wire::kMaxTrafficStreams]),
      stream_connections_(new std::atomic<std::uint32_t>[wire::kMaxTrafficStreams]),
      stream_errors_(wire::kMaxTrafficStreams),
      confirmed_(wire::kMaxTrafficStreams) {
  for (std::size_t i = 0; i < wire::kMaxTrafficStreams; ++i) {
    stream_bytes_[i].store(0);
    stream_connections_[i].store(0);
  }
  if (spec_.read_counters) {   // before any thread of the run exists: no lock needed yet
    auto c = spec_.read_counters();
    if (c) counters_before_ = std::move(*c);
    else spdlog::warn("traffic {}: no port counters before the run: {}", id_, c.error().describe());
  }
  if (spec.timeline) {
    bin_ns_ = static_cast<std::int64_t>(spec.timeline->bin_us) * 1000;
    bin_start_ns_ = align_down(timeline_start_ns, bin_ns_);
    bin_capacity_ = std::min<std::uint64_t>(bins_for(timeline_horizon_ns + (timeline_start_ns - bin_start_ns_), bin_ns_),
                                            wire::kMaxTimelineBins);
    bins_.reset(new std::atomic<std::uint64_t>[bin_capacity_]);
    for (std::uint64_t i = 0; i < bin_capacity_; ++i) bins_[i].store(0, std::memory_order_relaxed);
  }
}

void RunRecorder::add_bytes(std::uint32_t stream, std::uint64_t n, std::int64_t now_realtime_ns) {
  total_.fetch_add(n, std::memory_order_relaxed);
  if (stream < wire::kMaxTrafficStreams) stream_bytes_[stream].fetch_add(n, std::memory_order_relaxed);
  if (!bins_) return;
  // A clock stepped back before the start still lands in bin 0 rather than nowhere.
  const std::int64_t idx = std::max<std::int64_t>(0, bin_index(now_realtime_ns, bin_start_ns_, bin_ns_));
  if (static_cast<std::uint64_t>(idx) >= bin_capacity_) {
    overflow_bytes_.fetch_add(n, std::memory_order_relaxed);
  } else {
    bins_[idx].fetch_add(n, std::memory_order_relaxed);
  }
}

void RunRecorder::mark_started(std::int64_t now_ns) {
  std::int64_t zero = 0;
  if (!start_ns_.compare_exchange_strong(zero, now_ns)) return;
  std::lock_guard lock(mu_);
  interval_from_ns_ = now_ns;
  interval_from_bytes_ = total_.load();
  RunState expected = RunState::starting;
  state_.compare_exchange_strong(expected, RunState::running);
}

void RunRecorder::sample_interval(std::int64_t now_ns) {
  std::lock_guard lock(mu_);
  if (interval_from_ns_ == 0 || now_ns <= interval_from_ns_) return;
  if (intervals_.size() >= wire::kMaxTrafficIntervals) return;
  const std::uint64_t total = total_.load();
  const std::uint64_t bytes = total - interval_from_bytes_;
  const std::int64_t duration = now_ns - interval_from_ns_;
  intervals_.push_back(wire::TrafficInterval{
      .start_ns = interval_from_ns_, .duration_ns = duration, .bytes = bytes, .gbps = gbps(bytes, duration)});
  interval_from_ns_ = now_ns;
  interval_from_bytes_ = total;
}

void RunRecorder::finish(RunState final_state, std::int64_t now_ns) {
  if (start_ns_.load() != 0) sample_interval(now_ns);  // the last, partial interval
  if (spec_.read_counters) {   // read before the state turns final: a reader of a finished run sees them
    auto c = spec_.read_counters();
    if (!c) spdlog::warn("traffic {}: no port counters after the run: {}", id_, c.error().describe());
    std::lock_guard lock(mu_);
    if (c) counters_after_ = std::move(*c);
  }
  end_ns_.store(now_ns);
  state_.store(final_state);
  if (spec_.on_finished) spec_.on_finished();   // after the store: a woken reader sees the final state
}

void RunRecorder::event(std::uint32_t stream, std::string kind, std::string detail) {
  std::lock_guard lock(mu_);
  if (events_.size() >= kMaxConnectionEvents) {
    ++events_dropped_;
    return;
  }
  events_.push_back(wire::TrafficConnectionEvent{
      .time_ns = realtime_ns(), .stream = stream, .kind = std::move(kind), .detail = std::move(detail)});
}

void RunRecorder::error(std::string message) {
  std::lock_guard lock(mu_);
  if (errors_.size() < 100) errors_.push_back(std::move(message));
}

void RunRecorder::stream_connected(std::uint32_t stream) {
  if (stream < wire::kMaxTrafficStreams) stream_connections_[stream].fetch_add(1);
}

void RunRecorder::stream_failed(std::uint32_t stream, std::string message) {
  std::lock_guard lock(mu_);
  if (stream < stream_errors_.size()) stream_errors_[stream] = std::move(message);
}

void RunRecorder::stream_confirmed(std::uint32_t stream, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (stream < confirmed_.size()) confirmed_[stream] = bytes;
}

void RunRecorder::set_peer(std::string peer) {
  std::lock_guard lock(mu_);
  peer_ = std::move(peer);
}

wire::TrafficRunReport RunRecorder::report(bool with_bins) const {
  wire::TrafficRunReport r;
  r.id = id_;
  r.role = std::string(to_string(spec_.role));
  r.transport = spec_.transport;
  r.port = spec_.port;
  r.local_address = spec_.local_address;
  r.tcp_port = tcp_port_.load();
  r.state = std::string(to_string(state_.load()));
  r.created_ns = created_ns_;
  r.start_ns = start_ns_.load();
  r.end_ns = end_ns_.load();
  r.streams = streams_.load();
  r.bytes = total_.load();
  r.reconnects = reconnects_.load();
  r.rejected_connections = rejected_connections_.load();
  const std::int64_t until = r.end_ns != 0 ? r.end_ns : realtime_ns();
  const std::int64_t elapsed = r.start_ns != 0 ? until - r.start_ns : 0;
  r.seconds = static_cast<double>(elapsed) / 1e9;
  r.gbps = gbps(r.bytes, elapsed);

  std::lock_guard lock(mu_);
  r.peer = spec_.role == Role::client ? spec_.peer : peer_;
  r.intervals = intervals_;
  r.events = events_;
  r.errors = errors_;
  if (events_dropped_ > 0) r.errors.push_back(std::to_string(events_dropped_) + " connection events not kept");
  r.counters_before = counters_before_;
  r.counters_after = counters_after_;
  bool all_confirmed = r.streams > 0 && r.reconnects == 0 && spec_.role == Role::client;
  std::uint64_t confirmed = 0;
  for (std::uint32_t i = 0; i < r.streams && i < wire::kMaxTrafficStreams; ++i) {
    const std::uint64_t b = stream_bytes_[i].load();
    r.per_stream.push_back(wire::TrafficStreamReport{.index = i,
                                                     .bytes = b,
                                                     .gbps = gbps(b, elapsed),
                                                     .connections = stream_connections_[i].load(),
                                                     .error = stream_errors_[i]});
    if (confirmed_[i]) confirmed += *confirmed_[i];
    else all_confirmed = false;
  }
  if (all_confirmed) r.bytes_confirmed = confirmed;

  if (bins_) {
    wire::TrafficTimeline t;
    t.start_ns = bin_start_ns_;
    t.bin_us = spec_.timeline->bin_us;
    t.capacity = bin_capacity_;
    t.overflow_bytes = overflow_bytes_.load();
    const std::int64_t last = bin_index(until, bin_start_ns_, bin_ns_);
    t.bin_count = last < 0 ? 0 : std::min<std::uint64_t>(static_cast<std::uint64_t>(last) + 1, bin_capacity_);
    std::vector<std::uint64_t> bins(t.bin_count);
    for (std::uint64_t i = 0; i < t.bin_count; ++i) bins[i] = bins_[i].load(std::memory_order_relaxed);
    t.gaps = find_gaps(bins, bin_start_ns_, bin_ns_, gap_min_bins(spec_.timeline->gap_min_us, t.bin_us));
    if (with_bins) t.bins = std::move(bins);
    r.timeline = std::move(t);
  }
  return r;
}

}  // namespace mixnet::agent::traffic
