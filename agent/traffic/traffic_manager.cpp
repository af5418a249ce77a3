#include "agent/traffic/traffic_manager.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <ranges>
#include <spdlog/spdlog.h>

namespace mixnet::agent::traffic {

TrafficManager::TrafficManager(TrafficLimits limits) : limits_(limits) {}

TrafficManager::~TrafficManager() {
  std::lock_guard lock(mu_);
  for (auto& [seq, run] : runs_) run.second->cancel();  // all at once, then each destructor joins
  runs_.clear();
}

void TrafficManager::add_engine(std::unique_ptr<TrafficEngine> engine) {
  std::lock_guard lock(mu_);
  const std::string name(engine->transport());
  engines_[name] = std::move(engine);
}

void TrafficManager::on_run_finished(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  on_finished_ = std::move(hook);
}

Result<void> TrafficManager::check_transport(std::string_view transport) const {
  std::lock_guard lock(mu_);
  if (engines_.contains(std::string(transport))) return {};
  return fail(Errc::invalid_argument,
              fmt::format("no traffic engine for transport '{}' on this agent (available: {})", transport,
                          fmt::join(std::views::keys(engines_), ", ")),
              "transport");
}

std::size_t TrafficManager::active() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [seq, run] : runs_) n += is_finished(run.second->state()) ? 0 : 1;
  return n;
}

Result<wire::TrafficRunReport> TrafficManager::start(const TrafficSpec& spec) {
  if (auto r = check_transport(spec.transport); !r) return std::unexpected(r.error());
  if (const std::size_t n = active(); n >= limits_.max_active) {
    return fail(Errc::conflict,
                "already " + std::to_string(n) + " traffic runs active (at most " + std::to_string(limits_.max_active) +
                    "); wait or cancel one");
  }
  std::lock_guard lock(mu_);
  const std::uint64_t seq = next_seq_++;
  const std::string id = "tr-" + std::to_string(seq);
  TrafficSpec with_hook = spec;
  with_hook.on_finished = on_finished_;
  with_hook.on_rejected_connection = [count = rejected_connections_] { count->fetch_add(1); };
  auto run = engines_.at(spec.transport)->start(id, with_hook);
  if (!run) return std::unexpected(run.error());
  auto report = (*run)->report(false);
  runs_.emplace(seq, std::make_pair(id, std::move(*run)));
  forget_old_runs();
  spdlog::info("traffic {} started: {} {} on {}", id, spec.transport, to_string(spec.role), spec.port);
  return report;
}

void TrafficManager::forget_old_runs() {
  std::size_t finished = 0;
  for (const auto& [seq, run] : runs_) finished += is_finished(run.second->state()) ? 1 : 0;
  for (auto it = runs_.begin(); it != runs_.end() && finished > limits_.max_kept;) {
    if (is_finished(it->second.second->state())) {
      it = runs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

Result<wire::TrafficRunReport> TrafficManager::get(const std::string& id, bool with_bins) const {
  std::lock_guard lock(mu_);
  for (const auto& [seq, run] : runs_) {
    if (run.first == id) return run.second->report(with_bins);
  }
  return fail(Errc::not_found, "no traffic run '" + id + "' (finished runs are kept until " +
                                   std::to_string(limits_.max_kept) + " newer ones have finished)",
              "id");
}

std::optional<RunState> TrafficManager::state_of(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& [seq, run] : runs_) {
    if (run.first == id) return run.second->state();
  }
  return std::nullopt;
}

Result<wire::TrafficRunReport> TrafficManager::cancel(const std::string& id) {
  std::lock_guard lock(mu_);
  for (const auto& [seq, run] : runs_) {
    if (run.first == id) {
      run.second->cancel();
      return run.second->report(false);
    }
  }
  return fail(Errc::not_found, "no traffic run '" + id + "'", "id");
}

Result<wire::TrafficRunReport> TrafficManager::attach_peer(const std::string& id, const wire::RdmaEndpoint& peer) {
  std::lock_guard lock(mu_);
  for (const auto& [seq, run] : runs_) {
    if (run.first == id) {
      if (auto r = run.second->attach_peer(peer); !r) return std::unexpected(r.error());
      return run.second->report(false);
    }
  }
  return fail(Errc::not_found, "no traffic run '" + id + "'", "id");
}

wire::TrafficRunList TrafficManager::list() const {
  std::lock_guard lock(mu_);
  wire::TrafficRunList out;
  for (const auto& [seq, run] : runs_) {
    auto r = run.second->report(false);
    r.intervals.clear();
    r.events.clear();
    if (r.timeline) r.timeline->gaps.clear();
    out.runs.push_back(std::move(r));
  }
  return out;
}

}  // namespace mixnet::agent::traffic
