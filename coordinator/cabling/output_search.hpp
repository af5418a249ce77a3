#pragma once
// Stage 2 of cabling discovery on an NxM switch: which output feeds each NIC's receiver, once
// stage 1 (input_sweep.hpp) has found the input its transmitter feeds. docs/cabling.md, "Method".
//
// A round is a set of circuits in(a) -> f(a), one per NIC under test, no output twice (an output
// carries one input). The driver makes exactly these circuits (nothing else on the switch's
// tested ports), waits for carrier, and reports what each NIC's agent heard as its neighbour
// (its identity probes). Ethernet needs light both ways to train, and a NIC hears a probe only
// over a link that came up, so:
//   - a heard b (b may be a itself): b's light, sent to f(b), reaches a, so o(a) = f(b). A
//     self-loop is "a heard a": f(a) is a's own output. Two NICs may also light each other by
//     chance (o(a) = f(b) and o(b) = f(a)): two facts in one round.
//   - a heard nothing while f(a) = x: x is not o(a) (a circuit to o(a) would have looped a's light
//     back to a), a negative. A negative is only silence within a round's wait: a later fact
//     against it wins (the link was slower than the wait).
// An output learnt for a NIC leaves every other NIC's candidates.
//
// Rounds. Each round is a maximum matching between the NICs still searching and their candidate
// outputs (neither learnt for a NIC nor known negative for it) that covers every NIC and output
// of largest degree (bipartite_matching.hpp), so the largest candidate count falls by one every
// round: with every NIC starting from the same M outputs (and no more NICs than outputs), the
// search ends within M rounds whatever the outcomes, plus at most one round per lost answer. A
// round tests one output per NIC because the only signal a NIC gives is carrier, which needs the
// whole loop; a NIC or switch that read the NIC's receive power could test more at once.
// Measured (bench/cabling-rounds.sh, 20 seeds): good NICs on a full KxK switch need about 0.38 M
// rounds (48x48: median 18, max 23), because a NIC's own output comes at a random place in its
// sequence and every output learnt leaves the other NICs' lists; K NICs on a 2Kx2K switch with
// one bad receiver need about 0.73 M (96x96: median 70): outputs nobody is cabled to are never
// learnt, so the bad NIC is looped back to nearly all of them. Chance pair links are taken, never
// sought, and still give about a quarter of the facts on a full switch: without them the rounds
// are a third more (48x48: 24.5 instead of 18).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/cabling/cabling_ports.hpp"

namespace mixnet::coord::cabling {

struct Circuit {
  NicIndex nic = 0;
  SwitchPort input;    // in(nic), from stage 1
  SwitchPort output;   // f(nic): the output this round tests for it
  friend bool operator==(const Circuit&, const Circuit&) = default;
};

struct OutputRound {
  int number = 0;                  // 1, 2, ...; 0: no round (the search is done)
  std::vector<Circuit> circuits;   // ascending by NIC; empty when the search is done
};

// What one NIC's agent reported for a round.
struct Heard {
  enum class Kind {
    nothing,    // no neighbour: no carrier, or no probe heard
    nic,        // a NIC under test (`nic`; the listener itself on a self-loop)
    stranger,   // an identity that is no NIC under test (`stranger`, e.g. "h9:ocs0")
    lost,       // the agent did not answer: no fact, the NIC is tested again
  };
  Kind kind = Kind::nothing;
  NicIndex nic = 0;
  std::string stranger;

  static Heard none() { return Heard{}; }
  static Heard of(NicIndex who) { return Heard{.kind = Kind::nic, .nic = who, .stranger = {}}; }
  static Heard identity(std::string who) { return Heard{.kind = Kind::stranger, .nic = 0, .stranger = std::move(who)}; }
  static Heard lost_answer() { return Heard{.kind = Kind::lost, .nic = 0, .stranger = {}}; }
};

enum class UnresolvedWhy {
  candidates_exhausted,  // no candidate output looped back: its light, receiver or fibre is bad
  contradiction,         // two different facts for it, or its output also learnt for another NIC
  agent_silent,          // its agent did not answer in kMaxLostRounds rounds in a row
  not_finished,          // result() asked before done(): still searching
};
[[nodiscard]] const char* to_string(UnresolvedWhy why);

struct UnresolvedOutput {
  NicIndex nic = 0;
  UnresolvedWhy why = UnresolvedWhy::candidates_exhausted;
  std::string detail;    // e.g. "heard nothing on any of its 48 candidate outputs"
};

struct OutputSearchResult {
  std::map<NicIndex, SwitchPort> resolved;    // NIC -> the output that feeds its receiver
  std::vector<UnresolvedOutput> unresolved;   // ascending by NIC
  int rounds = 0;
};

class OutputSearch {
 public:
  static constexpr int kMaxLostRounds = 2;

  // `inputs`: each NIC under test and its input (stage 1's found map; distinct inputs).
  // `outputs`: the outputs that may feed these NICs: the switch's outputs less any known to be
  // taken (distinct, non-empty names). Errors name "inputs" or "outputs".
  static Result<OutputSearch> create(const std::map<NicIndex, SwitchPort>& inputs, const std::vector<SwitchPort>& outputs);

  // The next round's circuits; a round with no circuits (number 0) once done(). The round must
  // be observed before the next is asked for (Errc::conflict otherwise).
  Result<OutputRound> next_round();

  // What each NIC heard in `round` (the one next_round() gave last). A NIC of the round missing
  // from `heard` counts as lost. NICs outside the round may be listed too (a fact about them
  // still counts; "nothing" from them says nothing). Errors (invalid_argument, naming "round" or
  // "heard") change nothing.
  Result<void> observe(const OutputRound& round, const std::map<NicIndex, Heard>& heard);

  [[nodiscard]] bool done() const;
  [[nodiscard]] OutputSearchResult result() const;
  [[nodiscard]] int rounds() const { return rounds_; }
  // The outputs still possible for a NIC (learnt or given up: none), ascending.
  [[nodiscard]] std::vector<SwitchPort> candidates(NicIndex nic) const;

 private:
  enum class State { searching, resolved, unresolved };
  struct NicState {
    NicIndex nic = 0;
    SwitchPort input;
    State state = State::searching;
    std::vector<char> candidate;        // per output
    std::vector<int> negative_round;    // per output: the round that looped it back in vain, 0 none
    int candidate_count = 0;
    int output = -1;                    // resolved: the output learnt
    std::string how;                    // resolved: "looped back in round 3", "heard h2:... in round 5"
    int lost_rounds = 0;                // rounds in a row its agent did not answer
    UnresolvedWhy why = UnresolvedWhy::candidates_exhausted;
    std::string detail;
  };

  OutputSearch() = default;
  void drop_candidate(NicState& n, int output);
  void learn(int listener, int output, const std::string& how);
  void give_up(NicState& n, UnresolvedWhy why, std::string detail);
  void give_up_exhausted_nics();
  [[nodiscard]] std::string nic_name(int index) const;

  std::vector<NicState> nics_;                 // ascending by NicIndex
  std::map<NicIndex, int> index_of_;
  std::vector<SwitchPort> outputs_;
  std::vector<int> owner_;                     // per output: the NIC it was learnt for, -1 none
  std::vector<char> disputed_;                 // per output: learnt for two NICs, or withdrawn
  std::optional<OutputRound> pending_;
  int rounds_ = 0;
};

}  // namespace mixnet::coord::cabling
