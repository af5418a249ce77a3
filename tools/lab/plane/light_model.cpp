#include "tools/lab/plane/light_model.hpp"

namespace mixnet::lab {

void add_path(LightPaths& paths, int from, int to) { paths[from].insert(to); }

void remove_path(LightPaths& paths, int from, int to) {
  const auto it = paths.find(from);
  if (it == paths.end()) return;
  it->second.erase(to);
  if (it->second.empty()) paths.erase(it);
}

bool has_path(const LightPaths& paths, int from, int to) {
  const auto it = paths.find(from);
  return it != paths.end() && it->second.contains(to);
}

bool emits(const EndPorts& end) { return !end.dark && end.nic_admin_up; }

std::set<int> fibre_lit_ports(const std::vector<EndPorts>& ends) {
  std::set<int> out;
  for (const auto& e : ends) {
    if (emits(e)) out.insert(e.tx);
  }
  return out;
}

LightOutcome evaluate_light(const std::vector<EndPorts>& ends, const LightPaths& paths) {
  LightOutcome out;
  out.redirect.resize(ends.size());
  out.lit_with.resize(ends.size());
  std::map<int, std::size_t> by_rx;
  for (std::size_t i = 0; i < ends.size(); ++i) by_rx.emplace(ends[i].rx, i);

  for (std::size_t a = 0; a < ends.size(); ++a) {
    const auto it = paths.find(ends[a].tx);
    if (it == paths.end()) continue;
    // A port's light reaches one port on every switch we model; the lowest is the stable choice.
    for (const int to : it->second) {
      const auto b = by_rx.find(to);
      if (b == by_rx.end()) continue;
      out.redirect[a] = b->second;
      break;
    }
  }
  for (std::size_t a = 0; a < ends.size(); ++a) {
    if (!out.redirect[a] || !emits(ends[a])) continue;
    const std::size_t b = *out.redirect[a];
    if (!emits(ends[b])) continue;
    if (out.redirect[b] == a) out.lit_with[a] = b;
  }
  return out;
}

}  // namespace mixnet::lab
