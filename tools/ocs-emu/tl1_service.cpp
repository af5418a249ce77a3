#include "tools/ocs-emu/tl1_service.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <set>

#include "hwdrivers/ocs/tl1_codec.hpp"

namespace mixnet::ocs_emu {

namespace tl1 = mixnet::ocs::tl1;

namespace {

constexpr std::size_t kMaxCtag = 32;
constexpr int kWidePorts = 100'000;   // to tell "out of range" from "not a port list"

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// TL1 strings may be quoted ("a b") with backslash escapes; plain identifiers are not.
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

bool ctag_ok(std::string_view ctag) {
  if (ctag.size() > kMaxCtag) return false;
  return std::all_of(ctag.begin(), ctag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
  });
}

std::string_view code_for(Reject r) {
  switch (r) {
    case Reject::syntax: return "IDNV";
    case Reject::out_of_range:
    case Reject::wrong_side: return "IIAC";
    case Reject::in_use:
    case Reject::port_failed:
    case Reject::exists: return "SROF";
    case Reject::not_found: return "IENE";
  }
  return "SROF";
}

class Tl1Handler {
 public:
  Tl1Handler(SwitchModel& model, Tl1SessionState& session, Now now) : model_(model), session_(session), now_(now) {}

  Tl1Outcome run(std::string_view text);

 private:
  // Replies ---------------------------------------------------------------------------------
  Tl1Outcome reply(std::vector<std::string> lines = {}, std::uint64_t batch = 0) {
    tl1::Reply r;
    r.tid = model_.options().tid;
    r.ctag = ctag_;
    r.completion = tl1::Completion::compld;
    r.lines = std::move(lines);
    Tl1Outcome out;
    out.reply = tl1::format_reply(r);
    out.batch = batch;
    return out;
  }
  Tl1Outcome deny(std::string_view code, std::string text) {
    tl1::Reply r;
    r.tid = model_.options().tid;
    r.ctag = ctag_;
    r.completion = tl1::Completion::deny;
    r.error_code = std::string(code);
    r.error_text = std::move(text);
    ++model_.counters.tl1_denied;
    Tl1Outcome out;
    out.reply = tl1::format_reply(r);
    out.denied = true;
    return out;
  }
  Tl1Outcome deny(const Rejection& r) { return deny(code_for(r.reason), r.message); }

  Tl1Outcome applied(const ModelResult<Batch>& b) {
    if (!b) return deny(b.error());
    return reply({}, b->id);
  }

  // Port lists ------------------------------------------------------------------------------
  ModelResult<std::vector<int>> ports(std::string_view aid, bool allow_all) const {
    const int max = model_.port_count();
    if (upper(aid) == "ALL") {
      if (!allow_all) return std::unexpected(Rejection{Reject::syntax, "ALL is not allowed here"});
      std::vector<int> all(static_cast<std::size_t>(max));
      for (int p = 1; p <= max; ++p) all[static_cast<std::size_t>(p - 1)] = p;
      return all;
    }
    auto r = tl1::expand_port_list(aid, max);
    if (r) return *r;
    // Out of range (IIAC) or not a port list at all (IDNV)? A list that parses with a wider
    // switch, or whose only fault is a number outside the range (port 0), is out of range.
    if (tl1::expand_port_list(aid, kWidePorts) || r.error().message.find("out of range") != std::string::npos) {
      return std::unexpected(Rejection{Reject::out_of_range, r.error().message});
    }
    return std::unexpected(Rejection{Reject::syntax, r.error().message});
  }
  ModelResult<std::vector<int>> calient_ports(std::string_view aid, bool allow_all) const;
  ModelResult<std::pair<int, int>> calient_pair(std::string_view aid) const;

  std::string command_label() const { return fmt::format("{} ctag={}", cmd_.verb, ctag_); }
  std::string source() const {
    return fmt::format("{}#{}", session_.dialect == Dialect::calient ? "calient" : "tl1", session_.id);
  }
  std::string port_name(int p) const {
    return session_.dialect == Dialect::calient ? calient_port_name(p) : std::to_string(p);
  }
  std::string find_param(std::string_view key) const {
    for (const auto& block : cmd_.trailing) {
      for (std::string_view rest = block; !rest.empty();) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        const auto eq = item.find('=');
        if (eq != std::string_view::npos && upper(item.substr(0, eq)) == key) return upper(item.substr(eq + 1));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    return {};
  }

  // Commands --------------------------------------------------------------------------------
  Tl1Outcome act_user();
  Tl1Outcome netype();
  Tl1Outcome eqpt();
  Tl1Outcome polatis();
  Tl1Outcome calient();
  Tl1Outcome ent_patch();
  Tl1Outcome dlt_patch();
  Tl1Outcome rtrv_patch();
  Tl1Outcome rtrv_power();
  Tl1Outcome shutter(bool closed);
  Tl1Outcome rtrv_shutter();
  Tl1Outcome ent_crs();
  Tl1Outcome act_crs(bool active);
  Tl1Outcome dlt_crs();
  Tl1Outcome rtrv_crs();
  Tl1Outcome rtrv_port_sum();

  SwitchModel& model_;
  Tl1SessionState& session_;
  Now now_;
  tl1::Command cmd_;
  std::string ctag_ = "0";
};

Tl1Outcome Tl1Handler::run(std::string_view text) {
  ++model_.counters.tl1_commands;
  auto parsed = tl1::parse_command(text);
  if (!parsed) return deny("IISP", parsed.error().message);
  cmd_ = std::move(*parsed);
  if (!ctag_ok(cmd_.ctag)) return deny("IICT", "a ctag is up to 32 letters, digits, '.', '-' or '_'");
  if (!cmd_.ctag.empty()) ctag_ = cmd_.ctag;
  if (cmd_.aid.size() > 64 * 1024) return deny("IDNV", "AID is too long");

  if (cmd_.verb == "ACT-USER") return act_user();
  if (cmd_.verb == "RTRV-HDR") return reply();
  if (!session_.logged_in) return deny("PLNA", "Login Not Active");

  const auto drop = model_.take_drop(cmd_.verb);
  if (drop && *drop == DropWhen::before_apply) {
    Tl1Outcome out;
    out.drop = drop;
    return out;
  }
  Tl1Outcome out = session_.dialect == Dialect::calient ? calient() : polatis();
  if (drop) {
    out.drop = drop;
    out.reply.clear();
  }
  return out;
}

Tl1Outcome Tl1Handler::act_user() {
  const std::string user = unquote(cmd_.aid);
  std::string password;
  if (cmd_.trailing.size() >= 2) {
    password = unquote(cmd_.trailing[1]);
  } else if (cmd_.trailing.size() == 1) {
    password = unquote(cmd_.trailing[0]);
  }
  if (user != model_.options().user || password != model_.options().password) {
    session_.logged_in = false;
    return deny("PIUI", "invalid user or password");
  }
  session_.logged_in = true;
  session_.user = user;
  return reply();
}

Tl1Outcome Tl1Handler::netype() {
  const auto& o = model_.options();
  if (session_.dialect == Dialect::calient) {
    return reply({fmt::format("CALIENT,S{}-EMU,OPTICAL-SWITCH,{}", model_.port_count(), o.software_version)});
  }
  const std::string model = o.model.empty() ? fmt::format("N-VST-{}-EMU", model_.size_text()) : o.model;
  return reply({fmt::format("{},{},OPTICAL-SWITCH,{}", o.vendor, model, o.software_version)});
}

Tl1Outcome Tl1Handler::eqpt() {
  if (!cmd_.aid.empty() && upper(cmd_.aid) != "SYSTEM") return deny("IIAC", "equipment must be SYSTEM");
  const std::string param = find_param("PARAMETER");
  if (!param.empty() && param != "SIZE") return deny("IDNV", "unknown parameter " + param + " (known: SIZE)");
  return reply({"SYSTEM:SIZE=" + model_.size_text()});
}

Tl1Outcome Tl1Handler::polatis() {
  const std::string& v = cmd_.verb;
  if (v == "CANC-USER") {
    session_.logged_in = false;
    return reply();
  }
  if (v == "RTRV-NETYPE") return netype();
  if (v == "RTRV-EQPT") return eqpt();
  if (v == "ENT-PATCH") return ent_patch();
  if (v == "DLT-PATCH") return dlt_patch();
  if (v == "RTRV-PATCH") return rtrv_patch();
  if (v == "RTRV-PORT-POWER") return rtrv_power();
  if (v == "OPR-PORT-SHUTTER") return shutter(true);
  if (v == "RLS-PORT-SHUTTER") return shutter(false);
  if (v == "RTRV-PORT-SHUTTER") return rtrv_shutter();
  return deny("IICM", "unknown command " + v);
}

Tl1Outcome Tl1Handler::ent_patch() {
  const auto comma = cmd_.aid.find(',');
  if (comma == std::string::npos || cmd_.aid.find(',', comma + 1) != std::string::npos) {
    return deny("IDNV", "ENT-PATCH needs INGRESS,EGRESS");
  }
  auto from = ports(std::string_view(cmd_.aid).substr(0, comma), false);
  if (!from) return deny(from.error());
  auto to = ports(std::string_view(cmd_.aid).substr(comma + 1), false);
  if (!to) return deny(to.error());
  if (from->size() != to->size()) {
    return deny("IDNV", fmt::format("{} ingress ports but {} egress ports", from->size(), to->size()));
  }
  ChangeRequest req;
  for (std::size_t i = 0; i < from->size(); ++i) req.connect.push_back(Connection{(*from)[i], (*to)[i], false});
  req.source = source();
  req.command = command_label();
  return applied(model_.apply(req, now_));
}

Tl1Outcome Tl1Handler::dlt_patch() {
  ChangeRequest req;
  if (upper(cmd_.aid) == "ALL") {
    for (const auto& e : model_.entries()) req.disconnect.push_back(e.conn.from);
  } else {
    auto p = ports(cmd_.aid, false);
    if (!p) return deny(p.error());
    req.disconnect = std::move(*p);
  }
  req.source = source();
  req.command = command_label();
  return applied(model_.apply(req, now_));
}

Tl1Outcome Tl1Handler::rtrv_patch() {
  std::vector<std::string> lines;
  if (cmd_.aid.empty() || upper(cmd_.aid) == "ALL") {
    for (const auto& c : model_.connections()) lines.push_back(fmt::format("{},{}", c.from, c.to));
    return reply(std::move(lines));
  }
  auto p = ports(cmd_.aid, false);
  if (!p) return deny(p.error());
  std::set<int> seen;
  for (int port : *p) {
    const auto e = model_.entry_of(port);
    if (!e || !e->active || !seen.insert(e->conn.from).second) continue;
    lines.push_back(fmt::format("{},{}", e->conn.from, e->conn.to));
  }
  return reply(std::move(lines));
}

Tl1Outcome Tl1Handler::rtrv_power() {
  auto p = ports(cmd_.aid.empty() ? std::string_view("ALL") : std::string_view(cmd_.aid), true);
  if (!p) return deny(p.error());
  std::vector<std::string> lines;
  lines.reserve(p->size());
  for (int port : *p) lines.push_back(fmt::format("{}:{:.2f}", port, model_.power_dbm(port)));
  return reply(std::move(lines));
}

Tl1Outcome Tl1Handler::shutter(bool closed) {
  auto p = ports(cmd_.aid, true);
  if (!p) return deny(p.error());
  if (auto ok = model_.set_shutter(*p, closed, now_); !ok) return deny(ok.error());
  return reply();
}

Tl1Outcome Tl1Handler::rtrv_shutter() {
  auto p = ports(cmd_.aid.empty() ? std::string_view("ALL") : std::string_view(cmd_.aid), true);
  if (!p) return deny(p.error());
  std::vector<std::string> lines;
  for (int port : *p) {
    const auto v = model_.port_view(port);
    lines.push_back(fmt::format("{}:{}", port, v.failed ? "FAILED" : v.shutter_closed ? "CLOSED" : "OPEN"));
  }
  return reply(std::move(lines));
}

// --- Calient ----------------------------------------------------------------------------------

ModelResult<std::vector<int>> Tl1Handler::calient_ports(std::string_view aid, bool allow_all) const {
  const int max = model_.port_count();
  if (aid.empty() || upper(aid) == "ALL") {
    if (!allow_all) return std::unexpected(Rejection{Reject::syntax, "a port is needed"});
    std::vector<int> all;
    for (int p = 1; p <= max; ++p) all.push_back(p);
    return all;
  }
  std::vector<std::string_view> items;
  for (std::string_view rest = aid;;) {
    const auto amp = rest.find('&');
    items.push_back(rest.substr(0, amp));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  std::vector<int> out;
  std::set<int> seen;
  auto one = [&](std::string_view name) -> ModelResult<int> {
    auto p = parse_calient_port(name);
    if (!p) return std::unexpected(Rejection{Reject::syntax, p.error().message});
    if (*p > max) {
      return std::unexpected(Rejection{Reject::out_of_range, fmt::format("port {} is out of range (the last is {})",
                                                                         std::string(name), calient_port_name(max))});
    }
    return *p;
  };
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) return std::unexpected(Rejection{Reject::syntax, "misplaced '&'"});
    auto first = one(items[i]);
    if (!first) return std::unexpected(first.error());
    int last = *first;
    if (i + 2 < items.size() && items[i + 1].empty()) {
      auto l = one(items[i + 2]);
      if (!l) return std::unexpected(l.error());
      if (*l < *first) return std::unexpected(Rejection{Reject::syntax, "range runs backwards"});
      last = *l;
      i += 2;
    }
    for (int p = *first; p <= last; ++p) {
      if (seen.insert(p).second) out.push_back(p);
    }
  }
  return out;
}

// "SRC,DST", "SRC-DST" or "SRC>DST".
ModelResult<std::pair<int, int>> Tl1Handler::calient_pair(std::string_view aid) const {
  auto sep = aid.find(',');
  if (sep == std::string_view::npos) sep = aid.find('-');
  if (sep == std::string_view::npos) sep = aid.find('>');
  if (sep == std::string_view::npos) return std::unexpected(Rejection{Reject::syntax, "expected SRC,DST"});
  auto a = calient_ports(aid.substr(0, sep), false);
  if (!a) return std::unexpected(a.error());
  auto b = calient_ports(aid.substr(sep + 1), false);
  if (!b) return std::unexpected(b.error());
  if (a->size() != 1 || b->size() != 1) return std::unexpected(Rejection{Reject::syntax, "one source and one destination"});
  return std::pair{a->front(), b->front()};
}

Tl1Outcome Tl1Handler::calient() {
  const std::string& v = cmd_.verb;
  if (v == "CANC-USER") {
    session_.logged_in = false;
    return reply();
  }
  if (v == "RTRV-NETYPE") return netype();
  if (v == "RTRV-EQPT") return eqpt();
  if (v == "ENT-CRS") return ent_crs();
  if (v == "ACT-CRS") return act_crs(true);
  if (v == "CANC-CRS") return act_crs(false);
  if (v == "DLT-CRS") return dlt_crs();
  if (v == "RTRV-CRS") return rtrv_crs();
  if (v == "RTRV-PORT-SUM") return rtrv_port_sum();
  return deny("IICM", "unknown command " + v);
}

Tl1Outcome Tl1Handler::ent_crs() {
  auto pair = calient_pair(cmd_.aid);
  if (!pair) return deny(pair.error());
  // ENT-CRS::SRC,DST:CTAG::GRP,TYPE;
  std::string group;
  std::string type = "2WAY";
  const std::string spec = cmd_.trailing.size() >= 2 ? cmd_.trailing[1] : (cmd_.trailing.empty() ? "" : cmd_.trailing[0]);
  if (const auto comma = spec.find(','); comma != std::string::npos) {
    group = spec.substr(0, comma);
    type = upper(spec.substr(comma + 1));
  } else {
    group = spec;
  }
  if (type != "2WAY" && type != "1WAY") return deny("IDNV", "connection type must be 1WAY or 2WAY, got " + type);
  if (group.size() > 32) return deny("IDNV", "group name is longer than 32 characters");
  ChangeRequest req;
  req.connect.push_back(Connection{pair->first, pair->second, type == "2WAY"});
  req.connect_inactive = true;
  req.group = group.empty() ? "SYSTEM" : group;
  req.conn_type = type;
  req.source = source();
  req.command = command_label();
  return applied(model_.apply(req, now_));
}

Tl1Outcome Tl1Handler::act_crs(bool active) {
  auto pair = calient_pair(cmd_.aid);
  if (!pair) return deny(pair.error());
  return applied(model_.activate(pair->first, pair->second, active, source(), command_label(), now_));
}

Tl1Outcome Tl1Handler::dlt_crs() {
  auto pair = calient_pair(cmd_.aid);
  if (!pair) return deny(pair.error());
  const auto e = model_.entry_of(pair->first);
  if (!e || e->conn.from != pair->first || e->conn.to != pair->second) {
    return deny("IENE", fmt::format("no cross-connect {}-{}", calient_port_name(pair->first),
                                    calient_port_name(pair->second)));
  }
  ChangeRequest req;
  req.disconnect.push_back(pair->first);
  req.source = source();
  req.command = command_label();
  return applied(model_.apply(req, now_));
}

Tl1Outcome Tl1Handler::rtrv_crs() {
  std::optional<std::set<int>> only;
  if (!cmd_.aid.empty() && upper(cmd_.aid) != "ALL") {
    auto p = calient_ports(cmd_.aid, false);
    if (!p) return deny(p.error());
    only = std::set<int>(p->begin(), p->end());
  }
  std::vector<std::string> lines;
  for (const auto& e : model_.entries()) {
    if (only && !only->contains(e.conn.from) && !only->contains(e.conn.to)) continue;
    const std::string src = calient_port_name(e.conn.from);
    const std::string dst = calient_port_name(e.conn.to);
    const std::string name = src + (e.conn_type == "1WAY" ? ">" : "-") + dst;
    lines.push_back(fmt::format("{}:SRCPORT={},DSTPORT={},GRPNAME={},CONNNAME={},CONNTYPE={},AS=UMA,OS={},OC=OK,PS={},AL=CL",
                                name, src, dst, e.group, name, e.conn_type, e.active ? "RDY" : "NRDY",
                                e.active ? "UPR" : "DPR"));
  }
  return reply(std::move(lines));
}

Tl1Outcome Tl1Handler::rtrv_port_sum() {
  auto p = calient_ports(cmd_.aid, true);
  if (!p) return deny(p.error());
  std::vector<std::string> lines;
  for (int port : *p) {
    const auto v = model_.port_view(port);
    std::string conn = "NONE";
    if (const auto e = model_.entry_of(port)) {
      conn = calient_port_name(e->conn.from) + (e->conn_type == "1WAY" ? ">" : "-") + calient_port_name(e->conn.to);
    }
    const std::string label = v.label.empty() ? "NONE" : v.label;
    lines.push_back(fmt::format("{}:ALIAS={},INPWR={:.2f},OUTPWR={:.2f},CONNNAME={},STATUS={}", calient_port_name(port),
                                label, model_.input_power_reading(port), model_.power_dbm(port), conn,
                                to_string(v.status)));
  }
  return reply(std::move(lines));
}

}  // namespace

Tl1Outcome handle_tl1(SwitchModel& model, Tl1SessionState& session, std::string_view text, Now now) {
  return Tl1Handler(model, session, now).run(text);
}

std::string calient_port_name(int port) {
  const int idx = port - 1;
  return fmt::format("{}.{}.{}", idx / 64 + 1, (idx % 64) / 8 + 1, idx % 8 + 1);
}

Result<int> parse_calient_port(std::string_view name) {
  int parts[3] = {0, 0, 0};
  std::string_view rest = name;
  for (int i = 0; i < 3; ++i) {
    const auto dot = rest.find('.');
    if ((i < 2) != (dot != std::string_view::npos)) {
      return fail(Errc::invalid_argument, "\"" + std::string(name.substr(0, 32)) + "\" is not a port SHELF.SLOT.PORT",
                  "aid");
    }
    const auto item = rest.substr(0, dot);
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), parts[i]);
    if (item.empty() || ec != std::errc{} || ptr != item.data() + item.size()) {
      return fail(Errc::invalid_argument, "\"" + std::string(name.substr(0, 32)) + "\" is not a port SHELF.SLOT.PORT",
                  "aid");
    }
    if (dot != std::string_view::npos) rest.remove_prefix(dot + 1);
  }
  if (parts[0] < 1 || parts[0] > 100 || parts[1] < 1 || parts[1] > 8 || parts[2] < 1 || parts[2] > 8) {
    return fail(Errc::invalid_argument,
                "\"" + std::string(name) + "\": shelf is 1.., slot 1..8 and port 1..8", "aid");
  }
  return (parts[0] - 1) * 64 + (parts[1] - 1) * 8 + parts[2];
}

}  // namespace mixnet::ocs_emu
