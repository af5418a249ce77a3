#include "coordinator/health/health_ledger.hpp"

#include "coordinator/engine/module.hpp"
#include "coordinator/health/pair_judgement.hpp"

namespace mixnet::coord::health {

void HealthLedger::add(Observation o) {
  std::lock_guard lock(mutex_);
  data_.observations.push_back(std::move(o));
}

void HealthLedger::add(PairTest t) {
  std::lock_guard lock(mutex_);
  data_.tests.push_back(std::move(t));
}

void HealthLedger::add(Finding f) {
  std::lock_guard lock(mutex_);
  data_.findings.push_back(std::move(f));
}

void HealthLedger::add_unreachable(const std::string& host) {
  std::lock_guard lock(mutex_);
  data_.unreachable_hosts.insert(host);
}

void HealthLedger::add(CarrierWindow w) {
  std::lock_guard lock(mutex_);
  data_.carrier_windows.push_back(std::move(w));
}

void HealthLedger::rejudge_tests(double peer_fraction, PartKind via) {
  std::lock_guard lock(mutex_);
  std::vector<PairTest> mine;
  for (const auto& t : data_.tests) {
    if (t.via == via) mine.push_back(t);
  }
  judge_against_peers(mine, {}, peer_fraction);
  auto next = mine.begin();
  for (auto& t : data_.tests) {
    if (t.via == via) t = *next++;
  }
}

HealthLedger::Snapshot HealthLedger::snapshot() const {
  std::lock_guard lock(mutex_);
  return data_;
}

HealthLedger& ledger_of(RunState& state) {
  // Steps run one after another; only a step's own worker threads share the ledger, through the
  // reference returned here, so making it needs no lock.
  if (!state.health) state.health = std::make_shared<HealthLedger>();
  return *state.health;
}

}  // namespace mixnet::coord::health
