#include "coordinator/cabling/output_search.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "coordinator/cabling/bipartite_matching.hpp"

namespace mixnet::coord::cabling {

const char* to_string(UnresolvedWhy why) {
  switch (why) {
    case UnresolvedWhy::candidates_exhausted: return "candidates_exhausted";
    case UnresolvedWhy::contradiction: return "contradiction";
    case UnresolvedWhy::agent_silent: return "agent_silent";
    case UnresolvedWhy::not_finished: return "not_finished";
  }
  return "unknown";
}

Result<OutputSearch> OutputSearch::create(const std::map<NicIndex, SwitchPort>& inputs,
                                          const std::vector<SwitchPort>& outputs) {
  std::set<SwitchPort> seen_inputs;
  for (const auto& [nic, input] : inputs) {
    if (input.empty()) return fail(Errc::invalid_argument, fmt::format("NIC {}: empty input name", nic), "inputs");
    if (!seen_inputs.insert(input).second) {
      return fail(Errc::invalid_argument, fmt::format("input {} given for two NICs", input), "inputs");
    }
  }
  std::set<SwitchPort> seen_outputs;
  for (const auto& output : outputs) {
    if (output.empty()) return fail(Errc::invalid_argument, "empty output name", "outputs");
    if (!seen_outputs.insert(output).second) return fail(Errc::invalid_argument, fmt::format("output {} given twice", output), "outputs");
  }
  OutputSearch search;
  search.outputs_ = outputs;
  search.owner_.assign(outputs.size(), -1);
  search.disputed_.assign(outputs.size(), 0);
  for (const auto& [nic, input] : inputs) {
    NicState n;
    n.nic = nic;
    n.input = input;
    n.candidate.assign(outputs.size(), 1);
    n.negative_round.assign(outputs.size(), 0);
    n.candidate_count = static_cast<int>(outputs.size());
    search.index_of_.emplace(nic, static_cast<int>(search.nics_.size()));
    search.nics_.push_back(std::move(n));
  }
  search.give_up_exhausted_nics();   // no outputs at all: nothing to search
  return search;
}

std::string OutputSearch::nic_name(int index) const { return fmt::format("NIC {}", nics_[static_cast<std::size_t>(index)].nic); }

void OutputSearch::drop_candidate(NicState& n, int output) {
  auto& c = n.candidate[static_cast<std::size_t>(output)];
  if (c != 0) {
    c = 0;
    --n.candidate_count;
  }
}

void OutputSearch::give_up(NicState& n, UnresolvedWhy why, std::string detail) {
  if (n.state == State::resolved) {
    // Its output stays out of every list: light from it reached two places, or two facts disagree,
    // so it is no evidence for anyone.
    disputed_[static_cast<std::size_t>(n.output)] = 1;
    owner_[static_cast<std::size_t>(n.output)] = -1;
    n.output = -1;
  }
  n.state = State::unresolved;
  n.why = why;
  n.detail = std::move(detail);
  for (std::size_t x = 0; x < n.candidate.size(); ++x) drop_candidate(n, static_cast<int>(x));
}

void OutputSearch::give_up_exhausted_nics() {
  for (auto& n : nics_) {
    if (n.state != State::searching || n.candidate_count > 0) continue;
    int tested = 0;
    for (const int r : n.negative_round) tested += r > 0 ? 1 : 0;
    const std::size_t others = outputs_.size() - static_cast<std::size_t>(tested);
    give_up(n, UnresolvedWhy::candidates_exhausted,
            tested == 0 ? fmt::format("no output to test: all {} were learnt for other NICs or disputed", others)
                        : fmt::format("heard nothing on any of the {} candidate outputs looped back to it ({} others "
                                      "were learnt for other NICs or disputed): its light, receiver or fibre is bad",
                                      tested, others));
  }
}

void OutputSearch::learn(int listener, int output, const std::string& how) {
  NicState& n = nics_[static_cast<std::size_t>(listener)];
  const auto x = static_cast<std::size_t>(output);
  const SwitchPort& name = outputs_[x];
  if (n.state == State::unresolved && n.why == UnresolvedWhy::contradiction) return;   // already given up for cause
  if (n.state == State::resolved) {
    if (n.output == output) return;   // the same fact again
    give_up(n, UnresolvedWhy::contradiction,
            fmt::format("output {} ({}) and output {} ({})", outputs_[static_cast<std::size_t>(n.output)], n.how, name, how));
    disputed_[x] = 1;
    return;
  }
  // A heard identity is direct evidence; a negative only says nothing was heard within that
  // round's wait, which a link slower than the wait also gives. The fact wins, and says so.
  std::string told = how;
  if (n.negative_round[x] > 0) {
    told += fmt::format("; round {} heard nothing on it: its wait was shorter than this link took", n.negative_round[x]);
  }
  if (owner_[x] >= 0) {
    NicState& other = nics_[static_cast<std::size_t>(owner_[x])];
    const std::string both = fmt::format("output {} was learnt for {} ({}) and for {} ({})", name, nic_name(owner_[x]),
                                         other.how, nic_name(listener), how);
    give_up(other, UnresolvedWhy::contradiction, both);
    give_up(n, UnresolvedWhy::contradiction, both);
    return;
  }
  if (disputed_[x] != 0) {
    give_up(n, UnresolvedWhy::contradiction, fmt::format("output {} ({}), which is disputed", name, how));
    return;
  }
  // A NIC whose agent fell silent and answers again is taken at its word; so is one that ran out
  // of candidates (a slow link made its own output look negative) and is then heard by chance.
  for (std::size_t y = 0; y < n.candidate.size(); ++y) drop_candidate(n, static_cast<int>(y));
  n.state = State::resolved;
  n.output = output;
  n.how = told;
  owner_[x] = listener;
  for (auto& other : nics_) drop_candidate(other, output);
}

Result<OutputRound> OutputSearch::next_round() {
  if (pending_) {
    return fail(Errc::conflict, fmt::format("round {} was not observed yet", pending_->number), "round");
  }
  std::vector<int> searching;
  std::vector<std::vector<int>> adjacency;
  for (std::size_t i = 0; i < nics_.size(); ++i) {
    const NicState& n = nics_[i];
    if (n.state != State::searching) continue;
    // Each NIC reads its candidates from its own place in the list, so first choices spread over
    // the outputs and the matching rarely has to search.
    std::vector<int> mine;
    const std::size_t m = outputs_.size();
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t x = (i + k) % m;
      if (n.candidate[x] != 0) mine.push_back(static_cast<int>(x));
    }
    searching.push_back(static_cast<int>(i));
    adjacency.push_back(std::move(mine));
  }
  if (searching.empty()) return OutputRound{};
  const std::vector<int> match = busiest_first_matching(adjacency, static_cast<int>(outputs_.size()));
  OutputRound round;
  round.number = rounds_ + 1;
  for (std::size_t j = 0; j < searching.size(); ++j) {
    if (match[j] == kUnmatched) continue;
    const NicState& n = nics_[static_cast<std::size_t>(searching[j])];
    round.circuits.push_back(Circuit{.nic = n.nic, .input = n.input, .output = outputs_[static_cast<std::size_t>(match[j])]});
  }
  ++rounds_;
  pending_ = round;
  return round;
}

Result<void> OutputSearch::observe(const OutputRound& round, const std::map<NicIndex, Heard>& heard) {
  if (!pending_ || round.number != pending_->number || round.circuits != pending_->circuits) {
    return fail(Errc::invalid_argument,
                pending_ ? fmt::format("expected round {}, the last one given", pending_->number)
                         : std::string("no round is waiting for its observation"),
                "round");
  }
  // Which output each NIC of the round was given, by internal index.
  std::map<int, int> output_of;
  std::map<SwitchPort, int> output_index;
  for (std::size_t x = 0; x < outputs_.size(); ++x) output_index.emplace(outputs_[x], static_cast<int>(x));
  for (const auto& c : round.circuits) output_of.emplace(index_of_.at(c.nic), output_index.at(c.output));

  for (const auto& [nic, h] : heard) {
    if (!index_of_.contains(nic)) return fail(Errc::invalid_argument, fmt::format("NIC {} is not under test", nic), "heard");
    if (h.kind == Heard::Kind::nic && !index_of_.contains(h.nic)) {
      return fail(Errc::invalid_argument, fmt::format("NIC {} heard NIC {}, which is not under test: name it as a stranger",
                                                      nic, h.nic),
                  "heard");
    }
  }
  pending_.reset();
  const int number = round.number;

  // Negatives and lost answers of the NICs in the round.
  for (const auto& [listener, output] : output_of) {
    NicState& n = nics_[static_cast<std::size_t>(listener)];
    const auto it = heard.find(n.nic);
    const Heard::Kind kind = it == heard.end() ? Heard::Kind::lost : it->second.kind;
    if (kind != Heard::Kind::lost) n.lost_rounds = 0;
    if (kind == Heard::Kind::nothing) {
      n.negative_round[static_cast<std::size_t>(output)] = number;
      drop_candidate(n, output);
    } else if (kind == Heard::Kind::lost && n.state == State::searching && ++n.lost_rounds >= kMaxLostRounds) {
      give_up(n, UnresolvedWhy::agent_silent,
              fmt::format("its agent did not answer in {} rounds in a row (the last: round {})", n.lost_rounds, number));
    }
  }
  // Facts, NIC by NIC: the listener's receiver hangs off the output its talker's input was sent to.
  for (const auto& [nic, h] : heard) {
    const int listener = index_of_.at(nic);
    if (h.kind == Heard::Kind::stranger) {
      give_up(nics_[static_cast<std::size_t>(listener)], UnresolvedWhy::contradiction,
              fmt::format("heard {} in round {}, which is no NIC under test", h.stranger, number));
      continue;
    }
    if (h.kind != Heard::Kind::nic) continue;
    const int talker = index_of_.at(h.nic);
    const auto sent = output_of.find(talker);
    if (sent == output_of.end()) {
      give_up(nics_[static_cast<std::size_t>(listener)], UnresolvedWhy::contradiction,
              fmt::format("heard {} in round {}, whose input had no circuit then", nic_name(talker), number));
      continue;
    }
    const std::string how = talker == listener ? fmt::format("looped back in round {}", number)
                                               : fmt::format("heard {} in round {}", nic_name(talker), number);
    learn(listener, sent->second, how);
  }
  give_up_exhausted_nics();
  return {};
}

bool OutputSearch::done() const {
  return !pending_ && std::none_of(nics_.begin(), nics_.end(), [](const NicState& n) { return n.state == State::searching; });
}

OutputSearchResult OutputSearch::result() const {
  OutputSearchResult result;
  result.rounds = rounds_;
  for (const auto& n : nics_) {
    if (n.state == State::resolved) {
      result.resolved.emplace(n.nic, outputs_[static_cast<std::size_t>(n.output)]);
    } else if (n.state == State::unresolved) {
      result.unresolved.push_back(UnresolvedOutput{.nic = n.nic, .why = n.why, .detail = n.detail});
    } else {
      result.unresolved.push_back(UnresolvedOutput{
          .nic = n.nic, .why = UnresolvedWhy::not_finished, .detail = fmt::format("{} candidate outputs left", n.candidate_count)});
    }
  }
  return result;
}

std::vector<SwitchPort> OutputSearch::candidates(NicIndex nic) const {
  std::vector<SwitchPort> out;
  const auto it = index_of_.find(nic);
  if (it == index_of_.end()) return out;
  const NicState& n = nics_[static_cast<std::size_t>(it->second)];
  for (std::size_t x = 0; x < outputs_.size(); ++x) {
    if (n.candidate[x] != 0) out.push_back(outputs_[x]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mixnet::coord::cabling
