#include "hwdrivers/ocs/polatis_tl1.hpp"

#include <map>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "hwdrivers/ocs/change_plan.hpp"
#include "hwdrivers/ocs/driver_util.hpp"

namespace mixnet::ocs {

namespace {

Result<std::vector<int>> port_numbers(const std::vector<PortId>& ports) {
  std::vector<int> out;
  for (const auto& p : ports) {
    auto n = port_number(p);
    if (!n) return std::unexpected(n.error());
    out.push_back(*n);
  }
  return out;
}

std::vector<int> all_ports(int count) {
  std::vector<int> v;
  for (int p = 1; p <= count; ++p) v.push_back(p);
  return v;
}

}  // namespace

// --- reply line parsers ------------------------------------------------------------------------

Result<std::pair<int, int>> parse_polatis_size(std::string_view line) {
  auto text = trim_view(line);
  if (const auto eq = text.find("SIZE="); eq != std::string_view::npos) text = text.substr(eq + 5);
  const auto x = text.find_first_of("xX");
  if (x == std::string_view::npos) return fail(Errc::protocol, "switch size \"" + std::string(line) + "\" is not NxM");
  auto n = parse_int(text.substr(0, x), "switch size");
  if (!n) return std::unexpected(n.error());
  const auto m_text = trim_view(text.substr(x + 1));
  if (m_text == "CC") return std::pair{*n, 0};
  auto m = parse_int(m_text, "switch size");
  if (!m) return std::unexpected(m.error());
  if (*n < 1 || *m < 1) return fail(Errc::protocol, "switch size \"" + std::string(line) + "\" has no ports");
  return std::pair{*n, *m};
}

Result<CrossConnect> parse_polatis_patch(std::string_view line) {
  const auto text = trim_view(line);
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) return fail(Errc::protocol, "patch line \"" + std::string(line) + "\" is not \"in,out\"");
  auto a = parse_int(text.substr(0, comma), "patch ingress");
  auto b = parse_int(text.substr(comma + 1), "patch egress");
  if (!a) return std::unexpected(a.error());
  if (!b) return std::unexpected(b.error());
  return CrossConnect{std::to_string(*a), std::to_string(*b), false};
}

Result<PortPower> parse_polatis_power(std::string_view line) {
  const auto text = trim_view(line);
  const auto colon = text.find_first_of(":,");
  if (colon == std::string_view::npos) return fail(Errc::protocol, "power line \"" + std::string(line) + "\" is not \"port:dBm\"");
  auto port = parse_int(text.substr(0, colon), "power port");
  if (!port) return std::unexpected(port.error());
  auto value = text.substr(colon + 1);
  if (const auto eq = value.find('='); eq != std::string_view::npos) value = value.substr(eq + 1);  // "POWER=-3.2"
  auto dbm = parse_double(value, "power of port " + std::to_string(*port));
  if (!dbm) return std::unexpected(dbm.error());
  return PortPower{std::to_string(*port), *dbm};
}

Result<std::pair<PortId, PortStatus>> parse_polatis_shutter(std::string_view line) {
  const auto text = trim_view(line);
  const auto colon = text.find_first_of(":,");
  if (colon == std::string_view::npos) return fail(Errc::protocol, "shutter line \"" + std::string(line) + "\" is not \"port:state\"");
  auto port = parse_int(text.substr(0, colon), "shutter port");
  if (!port) return std::unexpected(port.error());
  const std::string state(trim_view(text.substr(colon + 1)));
  PortStatus status;
  if (state.find("FAIL") != std::string::npos) status = PortStatus::failed;
  else if (state.find("CLOSE") != std::string::npos || state.find("OPR") != std::string::npos) status = PortStatus::disabled;
  else if (state.find("OPEN") != std::string::npos || state.find("RLS") != std::string::npos) status = PortStatus::enabled;
  else return fail(Errc::protocol, "shutter state \"" + state + "\" of port " + std::to_string(*port) + " is unknown");
  return std::pair{std::to_string(*port), status};
}

// --- the driver ------------------------------------------------------------------------------

PolatisTl1Switch::PolatisTl1Switch(const SwitchUri& uri) : session_(tl1_session_options(uri, "polatis-tl1")) {}

Result<Tl1Result> PolatisTl1Switch::query(const tl1::Command& cmd, Timing* timing) {
  return query_with_resend(session_, cmd, timing);
}

Result<PolatisTl1Switch::Size> PolatisTl1Switch::size_locked(Timing* timing) {
  if (size_) return *size_;
  auto r = query(tl1::Command{.verb = "RTRV-EQPT", .aid = "SYSTEM", .trailing = {"", "", "PARAMETER=SIZE"}}, timing);
  if (!r) return std::unexpected(r.error().context("read the switch size"));
  if (timing) stamp(*timing, r->sent_ns, r->acked_ns);
  for (const auto& line : r->reply.lines) {
    if (line.find("SIZE") == std::string::npos && line.find('x') == std::string::npos) continue;
    auto nm = parse_polatis_size(line);
    if (!nm) return std::unexpected(nm.error());
    size_ = Size{nm->first, nm->second, nm->second == 0};
    return *size_;
  }
  return fail(Errc::protocol, "RTRV-EQPT SIZE returned no size line");
}

Result<std::vector<CrossConnect>> PolatisTl1Switch::list_locked(Timing* timing) {
  auto size = size_locked(timing);
  if (!size) return std::unexpected(size.error());
  auto r = query(tl1::Command{.verb = "RTRV-PATCH", .trailing = {""}}, timing);
  if (!r) return std::unexpected(r.error().context("list cross-connects"));
  if (timing) stamp(*timing, r->sent_ns, r->acked_ns);
  std::vector<CrossConnect> out;
  for (const auto& line : r->reply.lines) {
    auto c = parse_polatis_patch(line);
    if (!c) return std::unexpected(c.error());
    c->bidirectional = size->any_to_any;
    out.push_back(*c);
  }
  return out;
}

Result<Timed<SwitchInfo>> PolatisTl1Switch::info() {
  std::lock_guard lock(session_.mutex());
  Timing t;
  auto r = query(tl1::Command{.verb = "RTRV-NETYPE", .trailing = {""}}, &t);
  if (!r) return std::unexpected(r.error().context("read the switch identity"));
  stamp(t, r->sent_ns, r->acked_ns);
  SwitchInfo info;
  if (!r->reply.lines.empty()) parse_netype_line(r->reply.lines.front(), info);
  size_.reset();  // info() always re-reads the size
  auto size = size_locked(&t);
  if (!size) return std::unexpected(size.error());
  info.inputs = size->inputs;
  info.outputs = size->outputs;
  info.any_to_any = size->any_to_any;
  return Timed<SwitchInfo>{info, t};
}

Result<Timed<std::vector<CrossConnect>>> PolatisTl1Switch::list() {
  std::lock_guard lock(session_.mutex());
  Timing t;
  auto l = list_locked(&t);
  if (!l) return std::unexpected(l.error());
  return Timed<std::vector<CrossConnect>>{std::move(*l), t};
}

Result<void> PolatisTl1Switch::send_changes(const ChangeSet& changes, Timing& t) {
  // Every disconnect first, in one command; then every connect, in one command with paired lists.
  if (!changes.disconnect.empty()) {
    auto ports = port_numbers(changes.disconnect);
    if (!ports) return std::unexpected(ports.error());
    auto r = session_.execute(tl1::Command{.verb = "DLT-PATCH", .aid = tl1::join_port_list(*ports), .trailing = {""}});
    if (!r) {
      stamp_unanswered(t, session_.unanswered_sent_ns());
      return std::unexpected(r.error());
    }
    stamp(t, r->sent_ns, r->acked_ns);
  }
  if (!changes.connect.empty()) {
    std::vector<int> from, to;
    for (const auto& c : changes.connect) {
      auto a = port_number(c.from);
      auto b = port_number(c.to);
      if (!a) return std::unexpected(a.error());
      if (!b) return std::unexpected(b.error());
      from.push_back(*a);
      to.push_back(*b);
    }
    auto r = session_.execute(tl1::Command{.verb = "ENT-PATCH", .aid = fmt::format("{},{}", fmt::join(from, "&"), fmt::join(to, "&")), .trailing = {""}});
    if (!r) {
      stamp_unanswered(t, session_.unanswered_sent_ns());
      if (!changes.disconnect.empty() && !is_transport_error(r.error()))
        return std::unexpected(r.error().context("the disconnects were applied, the connects were not"));
      return std::unexpected(r.error());
    }
    stamp(t, r->sent_ns, r->acked_ns);
  }
  return {};
}

Result<Timed<Done>> PolatisTl1Switch::apply(const ChangeSet& changes) {
  if (auto v = validate(changes); !v) return std::unexpected(v.error());
  for (const auto& c : changes.connect)
    for (const auto& p : {c.from, c.to})
      if (auto n = port_number(p); !n) return std::unexpected(n.error());
  for (const auto& p : changes.disconnect)
    if (auto n = port_number(p); !n) return std::unexpected(n.error());

  std::lock_guard lock(session_.mutex());
  Timing t;
  auto r = send_changes(changes, t);
  // A lost session leaves us not knowing what the switch did: re-read its state and send only what
  // is still missing, so nothing is applied twice. The read-back is part of the operation's span:
  // when it finds nothing missing, it is the moment the switch is known to hold the change.
  RecoveryBudget budget(changes);
  while (!r && is_transport_error(r.error()) && budget.next()) {
    spdlog::warn("polatis-tl1 {}: {}; reconnecting, re-reading the cross-connects (recovery {})",
                 session_.options().host, r.error().describe(), budget.attempts());
    note_recovery(t, r.error());
    auto current = list_locked(&t);
    if (!current) {
      r = std::unexpected(current.error());
      budget.failed();
      continue;
    }
    const auto rest = remaining(changes, *current, size_ && size_->any_to_any);
    if (rest.connect.empty() && rest.disconnect.empty()) {
      t.acked_by_read_back = true;
      r = {};
      break;
    }
    budget.found(rest);
    r = send_changes(rest, t);
  }
  if (!r) return std::unexpected(r.error().context("apply"));
  return Timed<Done>{Done{}, t};
}

Result<Timed<std::vector<PortState>>> PolatisTl1Switch::port_status(const std::vector<PortId>& ports) {
  std::lock_guard lock(session_.mutex());
  Timing t;
  auto size = size_locked(&t);
  if (!size) return std::unexpected(size.error());
  auto numbers = ports.empty() ? Result<std::vector<int>>(all_ports(size->ports())) : port_numbers(ports);
  if (!numbers) return std::unexpected(numbers.error());
  auto r = query(tl1::Command{.verb = "RTRV-PORT-SHUTTER", .aid = tl1::join_port_list(*numbers), .trailing = {""}}, &t);
  if (!r) return std::unexpected(r.error().context("read port shutters"));
  stamp(t, r->sent_ns, r->acked_ns);
  std::map<PortId, PortStatus> status;
  for (const auto& line : r->reply.lines) {
    auto s = parse_polatis_shutter(line);
    if (!s) return std::unexpected(s.error());
    status[s->first] = s->second;
  }
  auto patches = list_locked(&t);
  if (!patches) return std::unexpected(patches.error());
  std::vector<PortState> out;
  for (int n : *numbers) {
    PortState ps;
    ps.port = std::to_string(n);
    if (auto it = status.find(ps.port); it != status.end()) ps.status = it->second;
    else return fail(Errc::protocol, "RTRV-PORT-SHUTTER said nothing of port " + ps.port);
    for (const auto& c : *patches) {
      if (c.from == ps.port) ps.connected_to = c.to;
      else if (c.to == ps.port) ps.connected_to = c.from;
    }
    out.push_back(ps);
  }
  return Timed<std::vector<PortState>>{std::move(out), t};
}

Result<Timed<std::vector<PortPower>>> PolatisTl1Switch::power(const std::vector<PortId>& ports) {
  std::lock_guard lock(session_.mutex());
  Timing t;
  std::vector<int> numbers;
  if (ports.empty()) {
    auto size = size_locked(&t);
    if (!size) return std::unexpected(size.error());
    numbers = all_ports(size->ports());
  } else {
    auto n = port_numbers(ports);
    if (!n) return std::unexpected(n.error());
    numbers = *n;
  }
  auto r = query(tl1::Command{.verb = "RTRV-PORT-POWER", .aid = tl1::join_port_list(numbers), .trailing = {""}}, &t);
  if (!r) return std::unexpected(r.error().context("read port power"));
  stamp(t, r->sent_ns, r->acked_ns);
  std::vector<PortPower> out;
  for (const auto& line : r->reply.lines) {
    auto p = parse_polatis_power(line);
    if (!p) return std::unexpected(p.error());
    out.push_back(*p);
  }
  return Timed<std::vector<PortPower>>{std::move(out), t};
}

Result<Timed<Done>> PolatisTl1Switch::set_port_enabled(const PortId& port, bool enabled) {
  auto n = port_number(port);
  if (!n) return std::unexpected(n.error());
  std::lock_guard lock(session_.mutex());
  // Opening or closing a shutter is idempotent, so resending after a lost session is safe.
  Timing t;
  auto r = query(tl1::Command{.verb = enabled ? "RLS-PORT-SHUTTER" : "OPR-PORT-SHUTTER", .aid = std::to_string(*n), .trailing = {""}}, &t);
  if (!r) return std::unexpected(r.error().context(enabled ? "enable port " + port : "disable port " + port));
  stamp(t, r->sent_ns, r->acked_ns);
  return Timed<Done>{Done{}, t};
}

}  // namespace mixnet::ocs
