#include "coordinator/measure/breakdown.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace mixnet::coord::measure {

std::optional<Moment> moment_named(std::string_view name) {
  for (std::size_t i = 0; i < kMomentCount; ++i)
    if (kMomentNames[i] == name) return static_cast<Moment>(i);
  return std::nullopt;
}

std::optional<std::size_t> segment_index(std::string_view name) {
  for (std::size_t i = 0; i < kSegmentCount; ++i)
    if (kSegments[i].name == name) return i;
  return std::nullopt;
}

std::optional<LinkEventKind> link_event_kind(std::string_view agent_kind) {
  if (agent_kind == "link_down") return LinkEventKind::carrier_lost;
  if (agent_kind == "link_up") return LinkEventKind::link_up;
  return std::nullopt;
}

std::string_view to_string(SegmentStatus s) {
  switch (s) {
    case SegmentStatus::ok: return "ok";
    case SegmentStatus::missing: return "missing";
    case SegmentStatus::inconsistent: return "inconsistent";
  }
  return "missing";
}

namespace {

std::string ms(std::int64_t ns) { return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6); }

MomentValue present(const Timestamp& t) { return MomentValue{t, {}}; }
MomentValue absent(std::string reason) { return MomentValue{std::nullopt, std::move(reason)}; }

// Picks carrier lost and link up from a port's events inside the repetition's window:
//   carrier lost = the first carrier loss at or after the command;
//   link up      = the first link up after the last carrier loss (the link came up for good);
//                  with no carrier loss, the first link up after the command.
// Every carrier loss after the first is a flap.
struct LinkMoments {
  MomentValue carrier_lost, link_up;
  int flaps = 0;
};

LinkMoments pick_link_moments(const std::vector<LinkEvent>& all, const PortInputs& in) {
  LinkMoments out;
  std::vector<LinkEvent> events;
  for (const auto& e : all) {
    // An agent stamp within its uncertainty of the command may still be after it.
    if (in.cmd_sent && e.at.ns + e.at.uncertainty_ns < in.cmd_sent->ns) continue;
    if (in.window_end_ns && e.at.ns >= *in.window_end_ns) continue;
    events.push_back(e);
  }
  std::stable_sort(events.begin(), events.end(), [](const LinkEvent& a, const LinkEvent& b) { return a.at.ns < b.at.ns; });
  const std::string where = in.cmd_sent ? "after the command" : "(no command time: all events considered)";

  std::optional<std::size_t> first_loss, last_loss;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind != LinkEventKind::carrier_lost) continue;
    if (!first_loss) first_loss = i;
    else ++out.flaps;
    last_loss = i;
  }
  out.carrier_lost = first_loss ? present(events[*first_loss].at)
                                : absent(fmt::format("no carrier-lost (link_down) event {} in this repetition", where));

  const std::size_t from = last_loss ? *last_loss + 1 : 0;
  for (std::size_t i = from; i < events.size(); ++i) {
    if (events[i].kind == LinkEventKind::link_up) {
      out.link_up = present(events[i].at);
      return out;
    }
  }
  out.link_up = absent(last_loss ? fmt::format("no link_up event after the last carrier loss in this repetition")
                                 : fmt::format("no link_up event {} in this repetition", where));
  return out;
}

}  // namespace

std::array<SegmentValue, kSegmentCount> compute_segments(const std::array<MomentValue, kMomentCount>& moments) {
  std::array<SegmentValue, kSegmentCount> out;
  for (std::size_t i = 0; i < kSegmentCount; ++i) {
    const auto& def = kSegments[i];
    const auto& a = moments[static_cast<std::size_t>(def.from)];
    const auto& b = moments[static_cast<std::size_t>(def.to)];
    auto& s = out[i];
    if (!a.at || !b.at) {
      s.status = SegmentStatus::missing;
      s.reason = !a.at ? fmt::format("{} missing: {}", name_of(def.from), a.missing_reason)
                       : fmt::format("{} missing: {}", name_of(def.to), b.missing_reason);
      continue;
    }
    s.ns = b.at->ns - a.at->ns;
    s.uncertainty_ns = difference_uncertainty_ns(*a.at, *b.at);
    s.status = SegmentStatus::ok;
    if (def.ordered && s.ns + s.uncertainty_ns < 0) {
      s.status = SegmentStatus::inconsistent;
      s.reason = fmt::format("{} is {} before {} (beyond the +-{} uncertainty)", name_of(def.to), ms(-s.ns),
                             name_of(def.from), ms(s.uncertainty_ns));
    }
  }
  return out;
}

PortBreakdown compute_breakdown(const PortInputs& in, const FullRateRule& rule) {
  PortBreakdown out;
  out.repetition = in.repetition;
  out.port = in.port;
  out.from_topology = in.from_topology;
  out.to_topology = in.to_topology;
  out.window_end_ns = in.window_end_ns;
  out.switch_recovery = in.switch_recovery;
  auto& m = out.moments;
  m[static_cast<std::size_t>(Moment::cmd_sent)] =
      in.cmd_sent ? present(*in.cmd_sent) : absent("the OCS driver gave no command time");
  m[static_cast<std::size_t>(Moment::switch_ack)] =
      in.switch_ack ? present(*in.switch_ack) : absent("the switch did not acknowledge the command");
  auto link = pick_link_moments(in.link_events, in);
  m[static_cast<std::size_t>(Moment::carrier_lost)] = std::move(link.carrier_lost);
  m[static_cast<std::size_t>(Moment::link_up)] = std::move(link.link_up);
  out.flaps = link.flaps;
  m[static_cast<std::size_t>(Moment::identity_confirmed)] =
      in.identity_confirmed ? present(*in.identity_confirmed) : absent("the far end's identity was not confirmed");

  auto& traffic = m[static_cast<std::size_t>(Moment::traffic_full_rate)];
  if (!in.traffic) {
    traffic = absent("no traffic timeline for this port");
  } else {
    const auto& lost = m[static_cast<std::size_t>(Moment::carrier_lost)].at;
    std::optional<std::int64_t> command;
    if (in.cmd_sent) command = in.cmd_sent->ns;
    const auto search_from = lost ? std::optional<std::int64_t>(lost->ns) : command;
    // Traffic over a circuit needs both its ends up: the moment is never before either link up.
    std::optional<std::int64_t> links_up;
    for (const auto& up : {m[static_cast<std::size_t>(Moment::link_up)].at, pick_link_moments(in.peer_link_events, in).link_up.at})
      if (up) links_up = std::max(links_up.value_or(up->ns), up->ns);
    auto found = find_full_rate(*in.traffic, rule, command, search_from, links_up);
    out.reference_gbps = found.reference_gbps;
    out.threshold_gbps = found.threshold_gbps;
    traffic = found.at ? present(*found.at) : absent(found.missing_reason);
  }
  out.segments = compute_segments(out.moments);
  return out;
}

std::vector<SegmentSummary> summarize_segments(std::span<const PortBreakdown> rows) {
  std::vector<SegmentSummary> out;
  for (std::size_t i = 0; i < kSegmentCount; ++i) {
    SegmentSummary s;
    s.segment = kSegments[i].name;
    std::vector<std::int64_t> values;
    for (const auto& r : rows) {
      const auto& v = r.segments[i];
      switch (v.status) {
        case SegmentStatus::ok:
          ++s.ok;
          values.push_back(v.ns);
          s.max_uncertainty_ns = std::max(s.max_uncertainty_ns, v.uncertainty_ns);
          break;
        case SegmentStatus::missing: ++s.missing; break;
        case SegmentStatus::inconsistent: ++s.inconsistent; break;
      }
    }
    s.distribution = summarize(std::move(values));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace mixnet::coord::measure
