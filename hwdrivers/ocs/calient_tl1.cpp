#include "hwdrivers/ocs/calient_tl1.hpp"

#include <map>
#include <set>
#include <spdlog/spdlog.h>

#include "hwdrivers/ocs/change_plan.hpp"
#include "hwdrivers/ocs/driver_util.hpp"
#include "hwdrivers/ocs/polatis_tl1.hpp"

namespace mixnet::ocs {

namespace {

// KEY=VALUE fields after the first ':'.
std::map<std::string, std::string> fields_of(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (const auto eq = item.find('='); eq != std::string_view::npos)
      out[std::string(trim_view(item.substr(0, eq)))] = std::string(trim_view(item.substr(eq + 1)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string aid_pair(const PortId& a, const PortId& b) { return a + "," + b; }

}  // namespace

Result<void> check_calient_port(const PortId& port) {
  int dots = 0;
  bool digit_run = false;
  for (char c : port) {
    if (c == '.') {
      if (!digit_run) return fail(Errc::invalid_argument, "port \"" + port + "\" is not SHELF.SLOT.PORT", "port");
      ++dots;
      digit_run = false;
    } else if (c >= '0' && c <= '9') {
      digit_run = true;
    } else {
      return fail(Errc::invalid_argument, "port \"" + port + "\" is not SHELF.SLOT.PORT", "port");
    }
  }
  if (dots != 2 || !digit_run) return fail(Errc::invalid_argument, "port \"" + port + "\" is not SHELF.SLOT.PORT", "port");
  return {};
}

Result<CalientConnection> parse_calient_crs(std::string_view line) {
  const auto text = trim_view(line);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(Errc::protocol, "RTRV-CRS line \"" + std::string(line) + "\" has no ':'");
  auto f = fields_of(text.substr(colon + 1));
  CalientConnection c;
  c.name = f.contains("CONNNAME") ? f["CONNNAME"] : std::string(text.substr(0, colon));
  c.src = f["SRCPORT"];
  c.dst = f["DSTPORT"];
  if (c.src.empty() || c.dst.empty()) {
    // No SRCPORT/DSTPORT: the name says them ("a-b" two-way, "a>b" one-way).
    const auto sep = c.name.find_first_of("->");
    if (sep == std::string::npos) return fail(Errc::protocol, "RTRV-CRS line \"" + std::string(line) + "\" names no ports");
    c.src = c.name.substr(0, sep);
    c.dst = c.name.substr(sep + 1);
  }
  c.group = f["GRPNAME"];
  const std::string type = f["CONNTYPE"];
  c.two_way = type.empty() ? c.name.find('>') == std::string::npos : type == "2WAY";
  // Entered but not activated: the operational state is not ready / the path is down.
  c.active = !(f["OS"] == "NRDY" || f["PS"] == "DPR");
  if (auto s = check_calient_port(c.src); !s) return fail(Errc::protocol, "RTRV-CRS: bad source port \"" + c.src + "\"");
  if (auto d = check_calient_port(c.dst); !d) return fail(Errc::protocol, "RTRV-CRS: bad destination port \"" + c.dst + "\"");
  return c;
}

Result<CalientPortSummary> parse_calient_port_sum(std::string_view line) {
  const auto text = trim_view(line);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(Errc::protocol, "RTRV-PORT-SUM line \"" + std::string(line) + "\" has no ':'");
  CalientPortSummary s;
  s.port = std::string(text.substr(0, colon));
  if (auto ok = check_calient_port(s.port); !ok) return fail(Errc::protocol, "RTRV-PORT-SUM: bad port \"" + s.port + "\"");
  auto f = fields_of(text.substr(colon + 1));
  for (const auto& [key, slot] : {std::pair{"INPWR", &s.in_dbm}, std::pair{"OUTPWR", &s.out_dbm}}) {
    if (!f.contains(key)) continue;
    auto v = parse_double(f[key], std::string(key) + " of port " + s.port);
    if (!v) return std::unexpected(v.error());
    *slot = *v;
  }
  s.status = f["STATUS"];
  s.connection = f["CONNNAME"];
  s.alias = f["ALIAS"];
  return s;
}

CalientTl1Switch::CalientTl1Switch(const SwitchUri& uri) : session_(tl1_session_options(uri, "calient-tl1")), group_(uri.group) {}

Result<Tl1Result> CalientTl1Switch::query(const tl1::Command& cmd, Timing* timing) {
  return query_with_resend(session_, cmd, timing);
}

Result<std::vector<CalientConnection>> CalientTl1Switch::entries_locked(Timing* timing) {
  auto r = query(tl1::Command{.verb = "RTRV-CRS", .trailing = {"", "ALL"}}, timing);
  if (!r) return std::unexpected(r.error().context("list cross-connects"));
  if (timing) stamp(*timing, r->sent_ns, r->acked_ns);
  std::vector<CalientConnection> out;
  for (const auto& line : r->reply.lines) {
    auto c = parse_calient_crs(line);
    if (!c) return std::unexpected(c.error());
    out.push_back(*c);
  }
  return out;
}

Result<Timed<SwitchInfo>> CalientTl1Switch::info() {
  std::lock_guard lock(session_.mutex());
  Timing t;
  auto r = query(tl1::Command{.verb = "RTRV-NETYPE", .trailing = {""}}, &t);
  if (!r) return std::unexpected(r.error().context("read the switch identity"));
  stamp(t, r->sent_ns, r->acked_ns);
  SwitchInfo info;
  if (!r->reply.lines.empty()) parse_netype_line(r->reply.lines.front(), info);
  // Not every Calient answers RTRV-EQPT SIZE; a DENY leaves the size unknown (0).
  auto size = query(tl1::Command{.verb = "RTRV-EQPT", .aid = "SYSTEM", .trailing = {"", "", "PARAMETER=SIZE"}}, &t);
  if (size) {
    stamp(t, size->sent_ns, size->acked_ns);
    for (const auto& line : size->reply.lines) {
      if (auto nm = parse_polatis_size(line)) {
        info.inputs = nm->first;
        info.outputs = nm->second;
        info.any_to_any = nm->second == 0;
      }
    }
  } else if (size.error().code != Errc::denied) {
    return std::unexpected(size.error().context("read the switch size"));
  }
  return Timed<SwitchInfo>{info, t};
}

Result<Timed<std::vector<CrossConnect>>> CalientTl1Switch::list() {
  std::lock_guard lock(session_.mutex());
  Timing t;
  auto e = entries_locked(&t);
  if (!e) return std::unexpected(e.error());
  std::vector<CrossConnect> out;
  for (const auto& c : *e)
    if (c.active) out.push_back(CrossConnect{c.src, c.dst, c.two_way});
  return Timed<std::vector<CrossConnect>>{std::move(out), t};
}

Result<void> CalientTl1Switch::apply_once(const ChangeSet& changes, Timing& t, RecoveryBudget* budget) {
  // The first read comes before the change; after a lost session (`budget` given) the read is the
  // read-back that may show the change in place, so it belongs to the operation's span.
  auto entries = entries_locked(budget != nullptr ? &t : nullptr);
  if (!entries) return std::unexpected(entries.error());
  std::vector<CrossConnect> active;
  for (const auto& c : *entries)
    if (c.active) active.push_back(CrossConnect{c.src, c.dst, c.two_way});
  // A two-way connection satisfies a wanted pair either way round; a one-way one does not.
  const auto rest = remaining(changes, active, false);
  if (budget != nullptr) budget->found(rest);
  // A recovery's read-back that finds nothing left sends nothing: it is the confirmation.
  if (budget != nullptr && rest.connect.empty() && rest.disconnect.empty()) t.acked_by_read_back = true;

  // Commands of one phase do not depend on each other's success, so each phase goes out as one
  // pipelined batch: every removal first, then every new connection.
  auto run_phase = [&](std::vector<tl1::Command> cmds) -> Result<void> {
    if (cmds.empty()) return {};
    auto results = session_.execute_many(std::move(cmds));
    if (!results) {
      stamp_unanswered(t, session_.unanswered_sent_ns());
      return std::unexpected(results.error());
    }
    for (auto& r : *results) {
      if (!r) return std::unexpected(r.error());
      stamp(t, r->sent_ns, r->acked_ns);
    }
    return {};
  };
  std::vector<tl1::Command> removals;
  // Disconnect first: cancel (deactivate) then delete each connection through a moving port.
  std::set<std::string> removed;
  for (const auto& port : rest.disconnect) {
    for (const auto& c : *entries) {
      if ((c.src != port && c.dst != port) || !removed.insert(c.name).second) continue;
      const std::vector<std::string> args = {"", "," + c.group + "," + c.name};
      if (c.active) removals.push_back(tl1::Command{.verb = "CANC-CRS", .aid = aid_pair(c.src, c.dst), .trailing = args});
      removals.push_back(tl1::Command{.verb = "DLT-CRS", .aid = aid_pair(c.src, c.dst), .trailing = args});
    }
  }
  // Entries left inactive (entered, not activated: a session lost between ENT-CRS and ACT-CRS)
  // on ports this change set frees or uses: delete them too, or the ports stay reserved.
  for (const auto& c : *entries) {
    if (c.active || removed.contains(c.name)) continue;
    bool ours = false;
    for (const auto& w : rest.connect)
      if ((w.from == c.src && w.to == c.dst) || (w.from == c.dst && w.to == c.src)) ours = true;
    if (ours) continue;   // activated below instead
    bool touches = false;
    for (const auto& w : rest.connect)
      for (const auto& p : {w.from, w.to})
        if (p == c.src || p == c.dst) touches = true;
    for (const auto& p : rest.disconnect)
      if (p == c.src || p == c.dst) touches = true;
    if (!touches) continue;
    removed.insert(c.name);
    removals.push_back(tl1::Command{.verb = "DLT-CRS", .aid = aid_pair(c.src, c.dst), .trailing = {"", "," + c.group + "," + c.name}});
  }
  if (auto r = run_phase(std::move(removals)); !r) return r;
  // Then connect: enter and activate, or only activate an entry that already exists.
  std::vector<tl1::Command> additions;
  for (const auto& w : rest.connect) {
    const CalientConnection* entered = nullptr;
    for (const auto& c : *entries)
      if (!c.active && !removed.contains(c.name) && c.src == w.from && c.dst == w.to) entered = &c;
    const std::string name = w.from + "-" + w.to;
    const std::string group = entered ? entered->group : group_;
    if (entered == nullptr)
      additions.push_back(tl1::Command{.verb = "ENT-CRS", .aid = aid_pair(w.from, w.to), .trailing = {"", group + ",2WAY"}});
    additions.push_back(tl1::Command{.verb = "ACT-CRS", .aid = aid_pair(w.from, w.to), .trailing = {"", name + "," + group}});
  }
  if (auto r = run_phase(std::move(additions)); !r) {
    if (!rest.disconnect.empty() && !is_transport_error(r.error()))
      return std::unexpected(r.error().context("the disconnects were applied, the connects were not"));
    return r;
  }
  return {};
}

Result<Timed<Done>> CalientTl1Switch::apply(const ChangeSet& changes) {
  if (auto v = validate(changes); !v) return std::unexpected(v.error());
  for (const auto& c : changes.connect)
    for (const auto& p : {c.from, c.to})
      if (auto ok = check_calient_port(p); !ok) return std::unexpected(ok.error());
  for (const auto& p : changes.disconnect)
    if (auto ok = check_calient_port(p); !ok) return std::unexpected(ok.error());

  std::lock_guard lock(session_.mutex());
  Timing t;
  auto r = apply_once(changes, t, nullptr);
  RecoveryBudget budget(changes);
  while (!r && is_transport_error(r.error()) && budget.next()) {
    spdlog::warn("calient-tl1 {}: {}; reconnecting, re-reading the cross-connects (recovery {})",
                 session_.options().host, r.error().describe(), budget.attempts());
    note_recovery(t, r.error());
    r = apply_once(changes, t, &budget);
  }
  if (!r) return std::unexpected(r.error().context("apply"));
  return Timed<Done>{Done{}, t};
}

Result<Timed<std::vector<PortState>>> CalientTl1Switch::port_status(const std::vector<PortId>& ports) {
  for (const auto& p : ports)
    if (auto ok = check_calient_port(p); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(session_.mutex());
  Timing t;
  std::string aid = "ALL";
  if (!ports.empty()) {
    aid.clear();
    for (const auto& p : ports) aid += (aid.empty() ? "" : "&") + p;
  }
  auto r = query(tl1::Command{.verb = "RTRV-PORT-SUM", .aid = aid}, &t);
  if (!r) return std::unexpected(r.error().context("read port summaries"));
  stamp(t, r->sent_ns, r->acked_ns);
  auto entries = entries_locked(&t);
  if (!entries) return std::unexpected(entries.error());
  std::vector<PortState> out;
  for (const auto& line : r->reply.lines) {
    auto s = parse_calient_port_sum(line);
    if (!s) return std::unexpected(s.error());
    PortState ps;
    ps.port = s->port;
    if (s->status == "DISABLED" || s->status == "OOS") ps.status = PortStatus::disabled;
    else if (s->status == "FAILED") ps.status = PortStatus::failed;
    ps.label = s->alias == "NONE" ? "" : s->alias;
    for (const auto& c : *entries) {
      if (!c.active) continue;
      if (c.src == ps.port) ps.connected_to = c.dst;
      else if (c.dst == ps.port) ps.connected_to = c.src;
    }
    out.push_back(ps);
  }
  return Timed<std::vector<PortState>>{std::move(out), t};
}

Result<Timed<std::vector<PortPower>>> CalientTl1Switch::power(const std::vector<PortId>& ports) {
  for (const auto& p : ports)
    if (auto ok = check_calient_port(p); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(session_.mutex());
  Timing t;
  std::string aid = "ALL";
  if (!ports.empty()) {
    aid.clear();
    for (const auto& p : ports) aid += (aid.empty() ? "" : "&") + p;
  }
  auto r = query(tl1::Command{.verb = "RTRV-PORT-SUM", .aid = aid}, &t);
  if (!r) return std::unexpected(r.error().context("read port power"));
  stamp(t, r->sent_ns, r->acked_ns);
  std::vector<PortPower> out;
  for (const auto& line : r->reply.lines) {
    auto s = parse_calient_port_sum(line);
    if (!s) return std::unexpected(s.error());
    // OUTPWR: the light leaving the switch at the port, what a Polatis port monitor reads too.
    const auto dbm = s->out_dbm ? s->out_dbm : s->in_dbm;
    if (!dbm) return fail(Errc::protocol, "RTRV-PORT-SUM gave no power for port " + s->port);
    out.push_back(PortPower{s->port, *dbm, s->in_dbm});
  }
  return Timed<std::vector<PortPower>>{std::move(out), t};
}

Result<Timed<Done>> CalientTl1Switch::set_port_enabled(const PortId& port, bool enabled) {
  if (auto ok = check_calient_port(port); !ok) return std::unexpected(ok.error());
  return fail(Errc::unavailable, std::string("calient-tl1: ") + (enabled ? "enabling" : "disabling") + " port " + port +
                                     " is not supported by this driver (no TL1 command for it is known)");
}

}  // namespace mixnet::ocs
