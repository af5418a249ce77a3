#pragma once
// The traffic half of measure.reconfig: for each circuit a repetition makes, a timeline stream
// (agent TCP engine, 1 ms bins) started just before the OCS command, so "traffic back at full
// rate" is read from bytes that really crossed the new circuit. The sender is told to keep
// trying to connect while its port is dark (timeline.connect_timeout_ms); the receiver's bins
// (delivered bytes) are the timeline, moved onto the coordinator's clock.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/measure/full_rate.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord {

// measure.reconfig's `traffic:` argument (docs/playbooks.md): false / absent, true (defaults), or
// an object. Errors name the key as "traffic.KEY".
struct ReconfigTrafficArgs {
  bool enabled = false;
  std::uint32_t streams = 1;
  std::uint32_t bin_us = 1000;
  // Each circuit's traffic paced to this (all streams together); 0: unpaced. With a rate and no
  // `reference`, the rate is what counts as full (reference line at this rate).
  double rate_gbps = 0;
  // How long the streams keep running once every link of the repetition is verified: long enough
  // for the hold and the settled window after the slowest recovery.
  std::int64_t after_ns = 500'000'000;
  measure::FullRateRule rule{.window_ns = 20'000'000, .reference = measure::Reference::settled,
                             .baseline_window_ns = 200'000'000};
};
Result<ReconfigTrafficArgs> parse_reconfig_traffic(const nlohmann::json& value);

// One repetition's streams. Runs not stopped by stop() (a repetition that ended early on an
// error) are cancelled when this is destroyed, so no agent keeps sending for the runs' lifetime.
class ReconfigTraffic {
 public:
  ReconfigTraffic() = default;
  ReconfigTraffic(ReconfigTraffic&& other) noexcept;
  ReconfigTraffic& operator=(ReconfigTraffic&&) = delete;
  ReconfigTraffic(const ReconfigTraffic&) = delete;
  ReconfigTraffic& operator=(const ReconfigTraffic&) = delete;
  ~ReconfigTraffic();

  // Starts a receiver on each circuit's b end, then a timeline sender on its a end. A circuit
  // whose runs could not start is remembered with the reason (its ports' timelines are missing).
  static ReconfigTraffic start(AgentPool& agents, const Inventory& inventory, const std::vector<Circuit>& circuits,
                               const ReconfigTrafficArgs& args, std::int64_t run_ms, std::int64_t deadline_ns);

  // Cancels every run and reads the receivers' bins. Per port ("h1:ocs0", both ends of each
  // circuit): its circuit's timeline on the coordinator's clock, or why there is none.
  std::map<std::string, Result<measure::Timeline>> stop(AgentPool& agents,
                                                        const std::map<std::string, measure::ClockOffset>& offsets,
                                                        std::int64_t deadline_ns);

  // Circuits with runs, for the log.
  [[nodiscard]] std::size_t running() const;

 private:
  struct Stream {
    Circuit circuit;
    std::string server_id, client_id;
    std::string problem;   // set: no timeline for this circuit
  };
  std::vector<Stream> streams_;
  AgentPool* agents_ = nullptr;   // set while runs may be going
};

}  // namespace mixnet::coord
