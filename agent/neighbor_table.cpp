#include "agent/neighbor_table.hpp"

#include <algorithm>

namespace mixnet::agent {

void NeighborTable::record(const std::string& host_id, const std::string& port, const std::string& mac,
                           std::uint64_t nonce, std::int64_t send_time_ns, std::int64_t receive_time_ns) {
  ++received_;
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const wire::Neighbor& n) {
    return n.host_id == host_id && n.port == port && n.mac == mac;
  });
  if (it == entries_.end()) {
    if (entries_.size() >= capacity_ && !entries_.empty()) {
      auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.last_receive_time_ns < b.last_receive_time_ns;
      });
      entries_.erase(oldest);
      ++evicted_;
    }
    entries_.push_back(wire::Neighbor{.host_id = host_id, .port = port, .mac = mac, .first_seen_ns = receive_time_ns});
    it = std::prev(entries_.end());
  }
  it->last_nonce = nonce;
  it->last_send_time_ns = send_time_ns;
  it->last_receive_time_ns = receive_time_ns;
  ++it->count;
}

std::vector<wire::Neighbor> NeighborTable::list(std::optional<std::uint64_t> nonce) const {
  std::vector<wire::Neighbor> out;
  for (const auto& n : entries_) {
    if (!nonce || n.last_nonce == *nonce) out.push_back(n);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.last_receive_time_ns > b.last_receive_time_ns; });
  return out;
}

}  // namespace mixnet::agent
