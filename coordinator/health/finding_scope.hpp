#pragma once
// What a rule finding says about which part is broken (docs/health/blame.md, "Findings").
//
// Some figures are measured at one part alone: a port's counters (errors, carrier changes), the
// light at a switch port, a host's clock or inventory drift. A critical one blames its part
// directly. Others describe what a test between two ends saw (bandwidth, a link verification's
// verdict): a dark port makes its partner read dark too, a miswire shows on all four ends of the
// two circuits it crosses, so these blame only through the partner rule and are kept as evidence.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// The figures of pair tests and link verification (links.verify's ok/miswired/dark/one-sided
// verdicts are recorded under "link_verdict").
inline constexpr std::array<std::string_view, 2> kPairFigures = {"bandwidth_gbps", "link_verdict"};

[[nodiscard]] bool is_pair_figure(std::string_view figure);

// True when the finding alone is enough to blame its part: critical (or unknown: could not
// judge), on a host, a port or a switch port, and about a figure measured at that part alone.
[[nodiscard]] bool blames_on_its_own(const Finding& finding);

// The two ports a circuit ("h1:ocs0>h2:ocs1") or electrical pair ("h1:eps0~h2:eps0") joins; empty
// for any other name.
[[nodiscard]] std::vector<std::string> ends_of(std::string_view path);

// The canonical name of the path a test used: "a>b" through the OCS (direction kept: on an NxM
// switch each direction is its own cross-connect), "a~b" (sorted) through an electrical switch.
[[nodiscard]] std::string path_name(const PairTest& test);

}  // namespace mixnet::coord::health
