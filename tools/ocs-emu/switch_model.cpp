#include "tools/ocs-emu/switch_model.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "common/clock.hpp"

namespace mixnet::ocs_emu {

namespace {

std::unexpected<Rejection> reject(Reject reason, std::string message) {
  return std::unexpected(Rejection{reason, std::move(message)});
}

std::string port_text(int p) { return "port " + std::to_string(p); }

}  // namespace

Now Now::read() { return Now{realtime_ns(), monotonic_ns()}; }

SwitchModel::SwitchModel(const EmulatorOptions& options)
    : options_(options),
      mode_(options.mode),
      inputs_(options.inputs),
      outputs_(options.mode == SwitchMode::any_to_any ? 0 : options.outputs),
      switching_(options.switching),
      reply_delay_(options.reply_delay),
      drop_(options.drop_session),
      has_plane_(options.plane != nullptr),
      rng_(options.seed) {
  ports_.resize(static_cast<std::size_t>(std::max(0, inputs_ + outputs_)) + 1);
  for (std::size_t p = 1; p < ports_.size(); ++p) ports_[p].input_dbm = options.input_power_dbm;
  for (int p : options.failed_ports) {
    if (valid_port(p)) ports_[static_cast<std::size_t>(p)].failed = true;
  }
  for (const auto& [p, db] : options.weak_ports) {
    if (valid_port(p)) ports_[static_cast<std::size_t>(p)].extra_loss_db = db;
  }
  if (drop_ && drop_->count <= 0) drop_.reset();
}

std::string SwitchModel::size_text() const {
  return std::to_string(inputs_) + "x" + (mode_ == SwitchMode::any_to_any ? std::string("CC") : std::to_string(outputs_));
}

// ---------------------------------------------------------------------------------------------
// Validation and applying

ModelResult<void> SwitchModel::check_port(int p) const {
  if (!valid_port(p)) {
    return reject(Reject::out_of_range,
                  port_text(p) + " is out of range 1.." + std::to_string(port_count()));
  }
  return {};
}

ModelResult<void> SwitchModel::validate(const ChangeRequest& request) const {
  std::set<int> freed;
  for (int p : request.disconnect) {
    if (auto ok = check_port(p); !ok) return ok;
    const auto& st = ports_[static_cast<std::size_t>(p)];
    if (!st.entry_from) continue;
    const auto& e = entries_.at(*st.entry_from);
    for (int q : {e.conn.from, e.conn.to}) {
      if (ports_[static_cast<std::size_t>(q)].failed && e.active) {
        return reject(Reject::port_failed, port_text(q) + " has failed; its connection cannot be changed");
      }
      freed.insert(q);
    }
  }
  std::set<int> named;
  for (const auto& c : request.connect) {
    if (auto ok = check_port(c.from); !ok) return ok;
    if (auto ok = check_port(c.to); !ok) return ok;
    if (c.from == c.to) return reject(Reject::syntax, port_text(c.from) + " cannot be connected to itself");
    if (mode_ == SwitchMode::nxm) {
      if (!is_input(c.from)) {
        return reject(Reject::wrong_side, port_text(c.from) + " is an output; ingress ports are 1.." +
                                              std::to_string(inputs_));
      }
      if (is_input(c.to)) {
        return reject(Reject::wrong_side, port_text(c.to) + " is an input; egress ports are " +
                                              std::to_string(inputs_ + 1) + ".." + std::to_string(port_count()));
      }
    }
    for (int q : {c.from, c.to}) {
      if (!named.insert(q).second) return reject(Reject::syntax, port_text(q) + " is named twice");
      if (ports_[static_cast<std::size_t>(q)].failed) {
        return reject(Reject::port_failed, port_text(q) + " has failed");
      }
    }
    for (int q : {c.from, c.to}) {
      const auto& st = ports_[static_cast<std::size_t>(q)];
      if (!st.entry_from || freed.contains(q)) continue;
      const auto& e = entries_.at(*st.entry_from);
      const bool same = (e.conn.from == c.from && e.conn.to == c.to) ||
                        (mode_ == SwitchMode::any_to_any && e.conn.from == c.to && e.conn.to == c.from);
      const int other = e.conn.from == q ? e.conn.to : e.conn.from;
      if (same) {
        return reject(Reject::exists, "ports " + std::to_string(c.from) + " and " + std::to_string(c.to) +
                                          " are already connected");
      }
      return reject(Reject::in_use, port_text(q) + " is already in use (connected to " + std::to_string(other) + ")");
    }
  }
  return {};
}

std::uint64_t SwitchModel::add_record(ChangeRecord r) {
  r.id = next_record_++;
  records_.push_back(std::move(r));
  while (records_.size() > kMaxRecords) records_.pop_front();
  return records_.back().id;
}

ChangeRecord* SwitchModel::record(std::uint64_t id) {
  if (records_.empty() || id < records_.front().id || id > records_.back().id) return nullptr;
  return &records_[static_cast<std::size_t>(id - records_.front().id)];
}

std::int64_t SwitchModel::draw_switching_ns() {
  double ms = switching_.a_ms;
  switch (switching_.kind) {
    case SwitchingTime::Kind::fixed: break;
    case SwitchingTime::Kind::uniform:
      if (switching_.b_ms > switching_.a_ms) ms = std::uniform_real_distribution<double>(switching_.a_ms, switching_.b_ms)(rng_);
      break;
    case SwitchingTime::Kind::normal:
      if (switching_.b_ms > 0) ms = std::normal_distribution<double>(switching_.a_ms, switching_.b_ms)(rng_);
      break;
  }
  return std::max<std::int64_t>(0, std::llround(ms * 1e6));
}

std::int64_t SwitchModel::schedule(bool connect, const Connection& c, std::uint64_t batch, const std::string& source,
                                   const std::string& command, Now now) {
  const std::int64_t switching = draw_switching_ns();
  auto& a = ports_[static_cast<std::size_t>(c.from)];
  auto& b = ports_[static_cast<std::size_t>(c.to)];
  // A mirror moves one way at a time: a change on a busy port starts when the port is free, so
  // for any port the physical plane sees changes in the order they were commanded.
  const std::int64_t start = std::max({now.mono_ns, a.busy_until_mono, b.busy_until_mono});
  const std::int64_t settle = start + switching;
  a.busy_until_mono = settle;
  b.busy_until_mono = settle;

  ChangeRecord r;
  r.batch = batch;
  r.kind = connect ? "connect" : "disconnect";
  r.from = c.from;
  r.to = c.to;
  r.bidirectional = c.bidirectional;
  r.source = source;
  r.command = command;
  r.received_ns = now.real_ns;
  r.switching_ns = switching;
  r.started_ns = now.real_ns + (start - now.mono_ns);
  const std::uint64_t id = add_record(std::move(r));
  pending_.push(Pending{settle, id, batch, connect, c, now.real_ns, now.mono_ns});
  open_batches_[batch].records.push_back(id);
  ++open_batches_[batch].remaining;
  return settle;
}

void SwitchModel::remove_entry(int from) {
  const auto it = entries_.find(from);
  if (it == entries_.end()) return;
  ports_[static_cast<std::size_t>(it->second.conn.from)].entry_from.reset();
  ports_[static_cast<std::size_t>(it->second.conn.to)].entry_from.reset();
  entries_.erase(it);
}

void SwitchModel::add_entry(const ConnectionEntry& e) {
  entries_[e.conn.from] = e;
  ports_[static_cast<std::size_t>(e.conn.from)].entry_from = e.conn.from;
  ports_[static_cast<std::size_t>(e.conn.to)].entry_from = e.conn.from;
}

ModelResult<Batch> SwitchModel::apply(const ChangeRequest& request, Now now) {
  if (auto ok = validate(request); !ok) return std::unexpected(ok.error());
  const std::uint64_t batch = next_batch_++;
  Batch out;
  out.settle_mono_ns = now.mono_ns;

  std::vector<ConnectionEntry> removed;
  for (int p : request.disconnect) {
    const auto& st = ports_[static_cast<std::size_t>(p)];
    if (!st.entry_from) continue;
    removed.push_back(entries_.at(*st.entry_from));
    remove_entry(*st.entry_from);
  }
  for (const auto& e : removed) {
    if (!e.active) continue;
    out.settle_mono_ns = std::max(out.settle_mono_ns, schedule(false, e.conn, batch, request.source, request.command, now));
  }
  for (const auto& requested : request.connect) {
    ConnectionEntry e;
    e.conn = requested;
    if (mode_ == SwitchMode::nxm) {
      e.conn.bidirectional = false;
    } else {
      e.conn.bidirectional = request.conn_type != "1WAY";
    }
    e.active = !request.connect_inactive;
    e.group = request.group.empty() ? "SYSTEM" : request.group;
    e.conn_type = request.conn_type.empty() ? (e.conn.bidirectional ? "2WAY" : "1WAY") : request.conn_type;
    add_entry(e);
    if (!e.active) continue;
    out.settle_mono_ns = std::max(out.settle_mono_ns, schedule(true, e.conn, batch, request.source, request.command, now));
  }
  if (open_batches_.contains(batch)) {
    out.id = batch;
    out.records = open_batches_[batch].records;
  }
  return out;
}

ModelResult<Batch> SwitchModel::activate(int from, int to, bool active, const std::string& source,
                                         const std::string& command, Now now) {
  if (auto ok = check_port(from); !ok) return std::unexpected(ok.error());
  if (auto ok = check_port(to); !ok) return std::unexpected(ok.error());
  const auto it = entries_.find(from);
  if (it == entries_.end() || it->second.conn.to != to) {
    return reject(Reject::not_found, "no cross-connect from " + std::to_string(from) + " to " + std::to_string(to));
  }
  Batch out;
  out.settle_mono_ns = now.mono_ns;
  if (it->second.active == active) return out;
  for (int q : {from, to}) {
    if (ports_[static_cast<std::size_t>(q)].failed) return reject(Reject::port_failed, port_text(q) + " has failed");
  }
  it->second.active = active;
  const std::uint64_t batch = next_batch_++;
  out.settle_mono_ns = schedule(active, it->second.conn, batch, source, command, now);
  out.id = batch;
  out.records = open_batches_[batch].records;
  return out;
}

ModelResult<void> SwitchModel::preset(const std::vector<Connection>& connections, Now now) {
  if (!pending_.empty() || !open_batches_.empty()) {
    return reject(Reject::in_use, "changes are in flight; preset needs a settled switch");
  }
  ChangeRequest req;
  for (const auto& [from, e] : entries_) req.disconnect.push_back(from);
  req.connect = connections;
  req.source = "control";
  req.command = "preset";
  if (auto ok = validate(req); !ok) return ok;

  auto instant = [&](bool connect, const Connection& c) {
    ChangeRecord r;
    r.kind = connect ? "connect" : "disconnect";
    r.from = c.from;
    r.to = c.to;
    r.bidirectional = c.bidirectional;
    r.source = "control";
    r.command = "preset";
    r.received_ns = r.started_ns = r.settled_ns = now.real_ns;
    return add_record(std::move(r));
  };
  const auto old = entries_;
  for (const auto& [from, e] : old) {
    remove_entry(from);
    if (!e.active) continue;
    const std::uint64_t id = instant(false, e.conn);
    clear_physical(e.conn.from, e.conn.to, now, id, 0, "disconnect");
  }
  for (const auto& c : connections) {
    ConnectionEntry e;
    e.conn = c;
    e.conn.bidirectional = mode_ == SwitchMode::any_to_any;
    e.group = "SYSTEM";
    e.conn_type = e.conn.bidirectional ? "2WAY" : "1WAY";
    add_entry(e);
    const std::uint64_t id = instant(true, e.conn);
    set_physical(e.conn, now, id, 0, "connect");
  }
  return {};
}

std::vector<ConnectionEntry> SwitchModel::entries() const {
  std::vector<ConnectionEntry> out;
  out.reserve(entries_.size());
  for (const auto& [from, e] : entries_) out.push_back(e);
  return out;
}

std::vector<Connection> SwitchModel::connections() const {
  std::vector<Connection> out;
  for (const auto& [from, e] : entries_) {
    if (e.active) out.push_back(e.conn);
  }
  return out;
}

std::optional<ConnectionEntry> SwitchModel::entry_of(int port) const {
  if (!valid_port(port)) return std::nullopt;
  const auto& st = ports_[static_cast<std::size_t>(port)];
  if (!st.entry_from) return std::nullopt;
  return entries_.at(*st.entry_from);
}

// ---------------------------------------------------------------------------------------------
// Settling and the physical plane

std::optional<std::int64_t> SwitchModel::next_settle_mono() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.top().settle_mono;
}

bool SwitchModel::set_physical(const Connection& c, Now now, std::uint64_t record_id, std::uint64_t batch,
                               const std::string& reason) {
  // Ordering by busy ports means nothing should still hold these ports; should a path remain
  // anyway (a preset raced nothing, but be safe), break it first so the plane never sees two
  // paths on one port.
  for (int q : {c.from, c.to}) {
    const auto k = ports_[static_cast<std::size_t>(q)].physical_from;
    if (k) clear_physical(*k, physical_.at(*k).to, now, 0, 0, "replaced");
  }
  const bool lit = port_passes_light(c.from) && port_passes_light(c.to);
  physical_[c.from] = Physical{c.to, c.bidirectional, lit};
  ports_[static_cast<std::size_t>(c.from)].physical_from = c.from;
  ports_[static_cast<std::size_t>(c.to)].physical_from = c.from;
  if (!lit || !has_plane_) return false;
  CircuitChange cc{record_id, c.from, c.to, c.bidirectional, 0, now.real_ns, reason};
  if (auto* r = record(record_id)) {
    cc.received_ns = r->received_ns;
    if (r->settled_ns != 0) cc.settled_ns = r->settled_ns;
  }
  plane_out_.push_back(PlaneAction{true, cc, batch});
  return true;
}

bool SwitchModel::clear_physical(int from, int to, Now now, std::uint64_t record_id, std::uint64_t batch,
                                 const std::string& reason) {
  const auto it = physical_.find(from);
  if (it == physical_.end() || it->second.to != to) return false;
  const Physical ph = it->second;
  physical_.erase(it);
  ports_[static_cast<std::size_t>(from)].physical_from.reset();
  ports_[static_cast<std::size_t>(to)].physical_from.reset();
  if (!ph.lit || !has_plane_) return false;
  CircuitChange cc{record_id, from, to, ph.bidirectional, 0, now.real_ns, reason};
  if (auto* r = record(record_id)) {
    cc.received_ns = r->received_ns;
    if (r->settled_ns != 0) cc.settled_ns = r->settled_ns;
  }
  plane_out_.push_back(PlaneAction{false, cc, batch});
  return true;
}

void SwitchModel::settle_due(Now now) {
  while (!pending_.empty() && pending_.top().settle_mono <= now.mono_ns) {
    const Pending p = pending_.top();
    pending_.pop();
    // The settle instant on the monotonic clock, expressed in the realtime base of the command's
    // arrival: durations in the ground truth stay exact even if the wall clock is slewed or stepped.
    if (auto* r = record(p.record)) r->settled_ns = p.received_ns + (now.mono_ns - p.received_mono);
    const bool waits_for_plane = p.connect ? set_physical(p.conn, now, p.record, p.batch, "connect")
                                           : clear_physical(p.conn.from, p.conn.to, now, p.record, p.batch, "disconnect");
    if (!waits_for_plane) finish_change(p.batch);
  }
}

void SwitchModel::plane_done(const PlaneAction& action, const Result<std::vector<PortLight>>& result) {
  if (action.change.change_id != 0) {
    if (auto* r = record(action.change.change_id)) {
      if (result) {
        r->light.insert(r->light.end(), result->begin(), result->end());
      } else {
        r->plane_error = result.error().describe();
      }
    }
  }
  finish_change(action.batch);
}

void SwitchModel::finish_change(std::uint64_t batch) {
  if (batch == 0) return;
  const auto it = open_batches_.find(batch);
  if (it == open_batches_.end() || it->second.remaining == 0) return;
  if (--it->second.remaining == 0) {
    completed_out_.push_back(batch);
    if (!it->second.reply_pending) open_batches_.erase(it);
  }
}

std::vector<PlaneAction> SwitchModel::take_plane_actions() { return std::exchange(plane_out_, {}); }
std::vector<std::uint64_t> SwitchModel::take_completed_batches() { return std::exchange(completed_out_, {}); }

bool SwitchModel::batch_complete(std::uint64_t batch) const {
  const auto it = open_batches_.find(batch);
  return it == open_batches_.end() || it->second.remaining == 0;
}

void SwitchModel::mark_replied(std::uint64_t batch, std::int64_t real_ns) {
  const auto it = open_batches_.find(batch);
  if (it == open_batches_.end()) return;
  for (std::uint64_t id : it->second.records) {
    if (auto* r = record(id)) r->replied_ns = real_ns;
  }
  it->second.reply_pending = false;
  if (it->second.remaining == 0) open_batches_.erase(it);
}

void SwitchModel::forget_batch_reply(std::uint64_t batch) {
  const auto it = open_batches_.find(batch);
  if (it == open_batches_.end()) return;
  it->second.reply_pending = false;
  if (it->second.remaining == 0) open_batches_.erase(it);
}

// ---------------------------------------------------------------------------------------------
// Ports and power

bool SwitchModel::port_passes_light(int p) const {
  if (!valid_port(p)) return false;
  const auto& st = ports_[static_cast<std::size_t>(p)];
  return !st.shutter_closed && !st.failed;
}

PortView SwitchModel::port_view(int p) const {
  PortView v;
  if (!valid_port(p)) return v;
  const auto& st = ports_[static_cast<std::size_t>(p)];
  v.port = p;
  v.is_input = is_input(p);
  v.shutter_closed = st.shutter_closed;
  v.failed = st.failed;
  v.status = st.failed ? PortStatus::failed : st.shutter_closed ? PortStatus::disabled : PortStatus::enabled;
  if (st.entry_from) {
    const auto& e = entries_.at(*st.entry_from);
    if (e.active) v.connected_to = e.conn.from == p ? e.conn.to : e.conn.from;
  }
  v.input_dbm = st.input_dbm;
  v.extra_loss_db = st.extra_loss_db;
  v.label = st.label;
  return v;
}

void SwitchModel::refresh_light(int port, Now now, const std::string& reason) {
  const auto k = ports_[static_cast<std::size_t>(port)].physical_from;
  if (!k) return;
  auto& ph = physical_.at(*k);
  const bool lit = port_passes_light(*k) && port_passes_light(ph.to);
  if (lit == ph.lit) return;
  ph.lit = lit;
  ChangeRecord r;
  r.kind = lit ? "light-on" : "light-off";
  r.from = *k;
  r.to = ph.to;
  r.bidirectional = ph.bidirectional;
  r.source = "port";
  r.command = reason + " " + port_text(port);
  r.received_ns = r.started_ns = r.settled_ns = now.real_ns;
  const std::uint64_t id = add_record(std::move(r));
  if (!has_plane_) return;
  plane_out_.push_back(PlaneAction{lit, CircuitChange{id, *k, ph.to, ph.bidirectional, now.real_ns, now.real_ns, reason}, 0});
}

ModelResult<void> SwitchModel::set_shutter(const std::vector<int>& ports, bool closed, Now now) {
  for (int p : ports) {
    if (auto ok = check_port(p); !ok) return ok;
  }
  for (int p : ports) {
    ports_[static_cast<std::size_t>(p)].shutter_closed = closed;
    refresh_light(p, now, closed ? "shutter-close" : "shutter-open");
  }
  return {};
}

ModelResult<void> SwitchModel::set_label(int port, std::string label) {
  if (auto ok = check_port(port); !ok) return ok;
  if (label.size() > 64) return reject(Reject::syntax, "label is longer than 64 characters");
  ports_[static_cast<std::size_t>(port)].label = std::move(label);
  return {};
}

ModelResult<void> SwitchModel::set_input_power(int port, std::optional<double> dbm) {
  if (auto ok = check_port(port); !ok) return ok;
  if (dbm && (!std::isfinite(*dbm) || *dbm < kDarkDbm || *dbm > 30.0)) {
    return reject(Reject::syntax, "input power must be -60..30 dBm");
  }
  ports_[static_cast<std::size_t>(port)].input_dbm = dbm;
  return {};
}

void SwitchModel::set_fibre_light(const std::set<int>& lit_ports) {
  fibre_light_known_ = true;
  for (int p = 1; p <= port_count(); ++p) {
    // In range and within -60..30 dBm (the options were validated): cannot be refused.
    (void)set_input_power(p, lit_ports.contains(p) ? std::optional<double>(options_.input_power_dbm) : std::nullopt);
  }
}

double SwitchModel::noise() {
  if (options_.loss_noise_db <= 0) return 0.0;
  return std::normal_distribution<double>(0.0, options_.loss_noise_db)(rng_);
}

double SwitchModel::through_power(int source, int dest) {
  const auto& s = ports_[static_cast<std::size_t>(source)];
  const auto& d = ports_[static_cast<std::size_t>(dest)];
  if (!s.input_dbm) return kDarkDbm;
  const double v = *s.input_dbm - options_.insertion_loss_db - s.extra_loss_db - d.extra_loss_db + noise();
  return std::max(kDarkDbm, std::round(v * 100.0) / 100.0);
}

std::optional<int> SwitchModel::source_for(int port) const {
  const auto k = ports_[static_cast<std::size_t>(port)].physical_from;
  if (!k) return std::nullopt;
  const auto& ph = physical_.at(*k);
  if (!ph.lit) return std::nullopt;
  if (ph.bidirectional) return *k == port ? ph.to : *k;
  return *k;   // one way: the ingress feeds both ends' readings
}

double SwitchModel::arriving_power(int port) {
  const auto& s = ports_[static_cast<std::size_t>(port)];
  if (!s.input_dbm) return kDarkDbm;
  const double v = *s.input_dbm - s.extra_loss_db + noise();
  return std::max(kDarkDbm, std::round(v * 100.0) / 100.0);
}

double SwitchModel::power_dbm(int p) {
  if (!valid_port(p)) return kDarkDbm;
  if (fibre_light_known_ && is_input(p)) return port_passes_light(p) ? arriving_power(p) : kDarkDbm;
  const auto src = source_for(p);
  if (!src) return kDarkDbm;
  const auto k = *ports_[static_cast<std::size_t>(p)].physical_from;
  const auto& ph = physical_.at(k);
  // The ingress of a one-way connection reads the light arriving from its own fibre, before the
  // switch core, as a Polatis input's monitor does: a weak ingress shows there, while a loss at
  // the egress shows only at the egress (the circuit's path loss, docs/health/power.md).
  if (!ph.bidirectional && p == k) return arriving_power(p);
  const int dest = *src == p ? ph.to : p;
  return through_power(*src, dest);
}

double SwitchModel::input_power_reading(int p) {
  if (!port_passes_light(p)) return kDarkDbm;
  const auto& st = ports_[static_cast<std::size_t>(p)];
  if (!st.input_dbm) return kDarkDbm;
  return std::max(kDarkDbm, std::round((*st.input_dbm + noise()) * 100.0) / 100.0);
}

// ---------------------------------------------------------------------------------------------
// Faults

ModelResult<void> SwitchModel::set_port_failed(int port, bool failed, Now now) {
  if (auto ok = check_port(port); !ok) return ok;
  ports_[static_cast<std::size_t>(port)].failed = failed;
  refresh_light(port, now, failed ? "fail" : "restore");
  return {};
}

ModelResult<void> SwitchModel::set_port_extra_loss(int port, double extra_db) {
  if (auto ok = check_port(port); !ok) return ok;
  if (!std::isfinite(extra_db) || extra_db < 0.0 || extra_db > 60.0) {
    return reject(Reject::syntax, "extra loss must be 0..60 dB");
  }
  ports_[static_cast<std::size_t>(port)].extra_loss_db = extra_db;
  return {};
}

void SwitchModel::arm_drop_session(DropSessionFault fault) {
  if (fault.count <= 0) {
    drop_.reset();
    return;
  }
  drop_ = std::move(fault);
}

std::optional<DropWhen> SwitchModel::take_drop(const std::string& verb) {
  if (!drop_) return std::nullopt;
  const bool matches = drop_->verb.empty() ? (verb != "ACT-USER" && verb != "CANC-USER") : verb == drop_->verb;
  if (!matches) return std::nullopt;
  const DropWhen when = drop_->when;
  if (--drop_->count <= 0) drop_.reset();
  ++counters.sessions_dropped;
  return when;
}

void SwitchModel::clear_faults(Now now) {
  for (int p = 1; p <= port_count(); ++p) {
    auto& st = ports_[static_cast<std::size_t>(p)];
    st.extra_loss_db = 0.0;
    if (st.failed) {
      st.failed = false;
      refresh_light(p, now, "restore");
    }
  }
  reply_delay_ = std::chrono::milliseconds{0};
  drop_.reset();
}

ModelResult<void> SwitchModel::set_switching_time(SwitchingTime switching) {
  if (auto ok = switching.validate(); !ok) return reject(Reject::syntax, ok.error().message);
  switching_ = switching;
  return {};
}

// ---------------------------------------------------------------------------------------------
// Ground truth

std::vector<ChangeRecord> SwitchModel::records_since(std::uint64_t after_id, std::size_t limit) const {
  std::vector<ChangeRecord> out;
  for (const auto& r : records_) {
    if (r.id <= after_id) continue;
    if (out.size() >= limit) break;
    out.push_back(r);
  }
  return out;
}

void SwitchModel::clear_records() { records_.clear(); }

}  // namespace mixnet::ocs_emu
