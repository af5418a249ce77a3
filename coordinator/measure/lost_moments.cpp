#include "coordinator/measure/lost_moments.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::coord::measure {

std::vector<Moment> lost_moments(const PortBreakdown& row, const PortExpectation& expect) {
  const auto expected = [&](Moment m) {
    switch (m) {
      case Moment::cmd_sent:
      case Moment::switch_ack: return true;
      case Moment::carrier_lost: return expect.was_lit;
      case Moment::link_up:
      case Moment::identity_confirmed: return expect.connected;
      case Moment::traffic_full_rate: return expect.connected && expect.traffic;
    }
    return true;
  };
  std::vector<Moment> out;
  for (std::size_t i = 0; i < kMomentCount; ++i) {
    const auto m = static_cast<Moment>(i);
    if (expected(m) && !row.moment(m).at) out.push_back(m);
  }
  return out;
}

std::string describe_lost(const PortBreakdown& row, std::span<const Moment> lost) {
  if (lost.empty()) return {};
  std::vector<std::string> parts;
  for (const auto m : lost) parts.push_back(fmt::format("{} ({})", name_of(m), row.moment(m).missing_reason));
  return fmt::format("lost {}", fmt::join(parts, ", "));
}

}  // namespace mixnet::coord::measure
