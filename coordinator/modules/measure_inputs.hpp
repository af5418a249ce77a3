#pragma once
// The I/O half of measure.reconfig: what it reads from the agents and the lab to feed the
// measurement library (coordinator/measure/, pure arithmetic). Each call has a deadline.
//   - clock samples: repeated GET /v1/clock round trips per agent, as measure::ClockSample;
//   - the agents' link-event journals, read from a cursor we keep (not the pool's, which
//     links.verify moves), so every carrier event of a repetition is seen with its agent stamp.
// (The lab's ground truth is read by coordinator/ocs/truth_reader.hpp.)
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

class AgentPool;

// `rounds` round trips to every host (all hosts in parallel per round). A host with no good
// sample is left out of the map; its error is in `errors`.
struct ClockSampling {
  std::map<std::string, std::vector<measure::ClockSample>> samples;
  std::map<std::string, std::string> errors;
};
ClockSampling sample_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns);

// Per host: the journal position after which events are new to us.
class JournalReader {
 public:
  explicit JournalReader(AgentPool& pool) : pool_(pool) {}
  // Skips everything the journals hold now (the next read() starts after it).
  Result<void> mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Every event since the last mark/read, per host, oldest first. A restarted agent (instance
  // changed) is an error: its sequence numbers (and our cursor) mean nothing any more.
  Result<std::map<std::string, std::vector<wire::LinkEvent>>> read(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Reads every host's journal, appending what arrives to `events`, until `done(events)` holds,
  // the deadline passes or `cancel` is set. True when `done` held. poll_every 0: long-polls, each
  // host re-armed as soon as it answers (one request per agent per event); otherwise one plain
  // read per host every poll_every: the agents are then asked at times that have nothing to do
  // with their link events, so answering us never delays their reading of the next one.
  using EventsByHost = std::map<std::string, std::vector<wire::LinkEvent>>;
  Result<bool> watch_until(const std::vector<std::string>& hosts, std::int64_t deadline_ns, EventsByHost& events,
                           const std::function<bool(const EventsByHost&)>& done, const std::atomic<bool>* cancel,
                           std::chrono::milliseconds poll_every = {});

 private:
  AgentPool& pool_;
  std::map<std::string, std::uint64_t> after_;
  std::map<std::string, std::string> instance_;
  bool marked_ = false;   // events before the mark may be gone; after it, a gap is an error
};

}  // namespace mixnet::coord
