#include "coordinator/agents/counters_calls.hpp"

namespace mixnet::coord {

std::vector<CountersReplyOf> read_agent_counters(AgentPool& pool, const std::vector<std::string>& hosts,
                                                 std::int64_t deadline_ns) {
  std::vector<AgentCall> calls;
  calls.reserve(hosts.size());
  for (const auto& host : hosts) calls.push_back({.host = host, .target = "/v1/counters"});
  std::vector<CountersReplyOf> out;
  out.reserve(hosts.size());
  for (auto& raw : pool.call_all(calls, deadline_ns)) {
    CountersReplyOf r{raw.host, std::unexpected(Error{})};
    r.sent_ns = raw.sent_ns;
    r.done_ns = raw.done_ns;
    r.request_out_ns = raw.request_out_ns;
    r.response_in_ns = raw.response_in_ns;
    if (!raw.value) {
      r.value = std::unexpected(raw.value.error());
    } else if (auto parsed = wire::parse_counters_reply(*raw.value); parsed) {
      r.value = std::move(*parsed);
    } else {
      r.value = std::unexpected(parsed.error().context(raw.host + ": GET /v1/counters"));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mixnet::coord
