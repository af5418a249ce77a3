#include "common/connection_table.hpp"

#include <utility>

namespace mixnet {

std::optional<ConnectionTable::Id> ConnectionTable::admit(const std::string& source, std::function<void()> close) {
  if (count_from(source) >= limits_.max_per_source) {
    const auto v = victim(&source);
    if (!v) {
      ++refused_;
      return std::nullopt;
    }
    evict(*v);
  }
  if (entries_.size() >= limits_.max_connections) {
    const auto v = victim(nullptr);
    if (!v) {
      ++refused_;
      return std::nullopt;
    }
    evict(*v);
  }
  const Id id = next_id_++;
  entries_.emplace(id, Entry{.source = source, .phase = Phase::unproven, .since = ++clock_, .close = std::move(close)});
  ++per_source_[source];
  return id;
}

void ConnectionTable::set_phase(Id id, Phase phase) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.phase = phase;
  it->second.since = ++clock_;
}

void ConnectionTable::remove(Id id) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const auto s = per_source_.find(it->second.source);
  if (s != per_source_.end() && --s->second == 0) per_source_.erase(s);
  entries_.erase(it);
}

std::size_t ConnectionTable::count_from(const std::string& source) const {
  const auto it = per_source_.find(source);
  return it == per_source_.end() ? 0 : it->second;
}

std::optional<ConnectionTable::Id> ConnectionTable::victim(const std::string* source) const {
  std::optional<Id> best;
  const Entry* best_entry = nullptr;
  for (const auto& [id, e] : entries_) {
    if (e.phase == Phase::busy || (source != nullptr && e.source != *source)) continue;
    // Unproven before idle; within a phase, the one that has waited longest.
    const bool better = best_entry == nullptr ||
                        (e.phase == Phase::unproven && best_entry->phase == Phase::idle) ||
                        (e.phase == best_entry->phase && e.since < best_entry->since);
    if (better) {
      best = id;
      best_entry = &e;
    }
  }
  return best;
}

void ConnectionTable::evict(Id id) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto close = std::move(it->second.close);
  // The slot is free from now on, whenever the connection's own code notices the close.
  remove(id);
  ++evicted_;
  if (close) close();
}

}  // namespace mixnet
