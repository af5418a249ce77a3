#include "coordinator/reconfig/reconfig_row.hpp"

#include <fmt/format.h>

#include "coordinator/measure/lost_moments.hpp"
#include "coordinator/reconfig/reconfig_changes.hpp"

namespace mixnet::coord {

namespace m = measure;

namespace {

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

nlohmann::json row_data(const m::PortBreakdown& b) {
  nlohmann::json moments = nlohmann::json::object(), segments = nlohmann::json::object();
  for (std::size_t i = 0; i < m::kMomentCount; ++i) {
    const auto& mv = b.moments[i];
    if (mv.at) moments[std::string(m::kMomentNames[i])] = {{"ns", mv.at->ns}, {"uncertainty_ns", mv.at->uncertainty_ns}};
    else moments[std::string(m::kMomentNames[i])] = {{"missing", mv.missing_reason}};
  }
  for (std::size_t i = 0; i < m::kSegmentCount; ++i) {
    const auto& s = b.segments[i];
    nlohmann::json j = {{"status", m::to_string(s.status)}};
    if (s.status != m::SegmentStatus::missing) {
      j["ms"] = ms(s.ns);
      j["uncertainty_ms"] = ms(s.uncertainty_ns);
    }
    if (!s.reason.empty()) j["reason"] = s.reason;
    segments[std::string(m::kSegments[i].name)] = j;
  }
  return {{"repetition", b.repetition}, {"from_topology", b.from_topology}, {"to_topology", b.to_topology},
          {"moments", moments}, {"segments", segments}, {"flaps", b.flaps}, {"switch_recoveries", b.switch_recovery.count}};
}

// The inputs of the breakdown, and the reason the traffic timeline could not be read (empty: it
// could, or there was none).
std::pair<m::PortInputs, std::string> port_inputs(const RepetitionRecord& rep, const PortRef& p, const Inventory& inventory,
                                                  const std::map<std::string, m::ClockOffset>& offsets) {
  m::PortInputs in;
  in.repetition = rep.number;
  in.port = p.str();
  in.from_topology = rep.from_name();
  in.to_topology = rep.to->name;
  if (auto t = rep.timing.find(switch_of(inventory, p)); t != rep.timing.end()) {
    in.cmd_sent = m::coordinator_time(t->second.sent_ns);
    if (t->second.acked_ns != 0) in.switch_ack = m::coordinator_time(t->second.acked_ns);
    in.switch_recovery = {t->second.recoveries, t->second.recovery_cause, t->second.acked_by_read_back};
  }
  // A port's carrier events, aligned onto the coordinator's clock.
  const auto link_events = [&](const PortRef& port) {
    std::vector<m::LinkEvent> out;
    const auto& off = offsets.at(port.host);
    auto host_events = rep.events.find(port.host);
    if (host_events == rep.events.end()) return out;
    for (const auto& ev : host_events->second) {
      if (ev.port != port.port) continue;
      if (auto kind = m::link_event_kind(ev.kind)) out.push_back({m::align(off, ev.time_ns), *kind});
    }
    return out;
  };
  in.link_events = link_events(p);
  const auto peer = peer_in(rep.to, p);
  if (peer && offsets.contains(peer->host)) in.peer_link_events = link_events(*peer);
  in.window_end_ns = rep.window_end_ns;
  if (auto v = rep.verdicts.find(p.str()); v != rep.verdicts.end()) {
    if (const auto t = v->second.identity_confirmed_ns()) in.identity_confirmed = m::coordinator_time(*t);
  }
  std::string traffic_problem;
  if (rep.traffic) {
    if (auto t = rep.timelines.find(p.str()); t != rep.timelines.end()) {
      if (t->second) in.traffic = *t->second;
      else traffic_problem = t->second.error().message;
    }
  }
  return {std::move(in), std::move(traffic_problem)};
}

// The port's verdict: failed when its link did not verify or the measurement lost a moment the
// reconfiguration should have produced (the row would then not be a measurement of it, and would
// drop out of the percentiles).
void judge(ItemResult& item, const m::PortBreakdown& b, const RepetitionRecord& rep, const PortRef& p) {
  const auto verdict = rep.verdicts.find(p.str());
  const PortVerdict* v = verdict != rep.verdicts.end() ? &verdict->second : nullptr;
  const auto& up = b.moment(m::Moment::link_up);
  const auto lost = m::lost_moments(b, {.was_lit = peer_in(rep.from, p).has_value(), .connected = v != nullptr,
                                        .traffic = rep.traffic});
  if (v == nullptr) {
    // A port the new topology leaves dark: only its carrier loss counts.
    item.status = lost.empty() ? item_status::ok : item_status::failed;
    item.message = "left unconnected by " + rep.to->name + (lost.empty() ? "" : ", but " + m::describe_lost(b, lost));
  } else if (v->verdict != LinkVerdict::ok) {
    item.status = std::string(to_string(v->verdict));
    item.message = "links.verify: " + v->message;
  } else if (!up.at) {
    // Before the traffic verdict, which would only say that link_up is missing; named like any
    // other lost moment, with whichever others this port lost too (carrier_lost, say).
    item.status = item_status::failed;
    item.message = "identity confirmed, but " + m::describe_lost(b, lost);
  } else if (const auto& tr = b.segments[*m::segment_index("link_up_to_traffic")];
             rep.traffic && tr.status == m::SegmentStatus::missing) {
    // Asked to measure traffic, and it did not come back at full rate (or could not be read).
    item.status = item_status::failed;
    item.message = "traffic not back at full rate: " + (tr.reason.empty() ? b.moment(m::Moment::traffic_full_rate).missing_reason : tr.reason);
  } else if (!lost.empty()) {
    item.status = item_status::failed;
    item.message = "identity confirmed, but " + m::describe_lost(b, lost);
  } else {
    item.status = item_status::ok;
    const auto& seg = b.segments[*m::segment_index("cmd_to_link_up")];
    item.message = seg.status == m::SegmentStatus::ok ? fmt::format("link up {:.3f} ms after the command", ms(seg.ns))
                                                      : "cmd_to_link_up " + std::string(m::to_string(seg.status)) + ": " + seg.reason;
  }
}

}  // namespace

PortRow measure_port(const RepetitionRecord& rep, const PortRef& p, const Inventory& inventory,
                     const std::map<std::string, m::ClockOffset>& offsets, const m::FullRateRule& rule) {
  auto [in, traffic_problem] = port_inputs(rep, p, inventory, offsets);
  auto b = m::compute_breakdown(in, rule);
  if (!traffic_problem.empty()) {
    for (auto* seg : {&b.segments[*m::segment_index("link_up_to_traffic")], &b.segments[*m::segment_index("cmd_to_traffic")]}) {
      seg->reason = traffic_problem;
    }
  }
  ItemResult item;
  item.kind = "port";
  item.id = fmt::format("{} #{}", p.str(), rep.number);
  item.hosts = {p.host};
  item.data = row_data(b);
  item.started_ns = in.cmd_sent ? in.cmd_sent->ns : rep.window_end_ns;
  item.finished_ns = rep.window_end_ns;
  judge(item, b, rep, p);
  return {std::move(in), std::move(b), std::move(item)};
}

}  // namespace mixnet::coord
