#include "coordinator/agents/clock_sampler.hpp"

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"

namespace mixnet::coord {

ClockSampling sample_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns) {
  ClockSampling out;
  for (int r = 0; r < rounds && monotonic_ns() < deadline_ns; ++r) {
    for (auto& reply : pool.clock(hosts, deadline_ns)) {
      if (!reply.value) {
        out.errors[reply.host] = reply.value.error().message;
        continue;
      }
      out.samples[reply.host].push_back(*reply.value);
    }
  }
  for (const auto& [host, s] : out.samples) out.errors.erase(host);
  return out;
}

ClockAlignment align_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns) {
  const auto sampled = sample_clocks(pool, hosts, rounds, deadline_ns);
  ClockAlignment out;
  for (const auto& h : hosts) {
    auto it = sampled.samples.find(h);
    if (it == sampled.samples.end()) {
      const auto e = sampled.errors.find(h);
      out.errors[h] = e != sampled.errors.end() ? e->second : "no sample";
      continue;
    }
    auto offset = measure::estimate_offset("agent:" + h, it->second);
    if (!offset) out.errors[h] = offset.error().message;
    else out.offsets[h] = *offset;
  }
  return out;
}

}  // namespace mixnet::coord
