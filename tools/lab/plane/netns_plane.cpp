#include "tools/lab/plane/netns_plane.hpp"

#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"

namespace mixnet::lab {

using nlohmann::json;
using ocs_emu::CircuitChange;
using ocs_emu::PortLight;

const char* to_string(EndState state) {
  switch (state) {
    case EndState::dark: return "dark";
    case EndState::training: return "training";
    case EndState::up: return "up";
  }
  return "unknown";
}

namespace {

void keep_first(std::optional<Error>& first, const Error& e) {
  spdlog::warn("lab plane: {}", e.describe());
  if (!first) first = e;
}

}  // namespace

Result<std::shared_ptr<NetnsPlane>> NetnsPlane::open(PlaneFile file) {
  for (std::size_t i = 0; i < file.ends.size(); ++i) {
    struct stat st {};
    const std::string path = "/run/netns/" + file.ends[i].host_netns;
    if (::stat(path.c_str(), &st) != 0) {
      const std::string field = fmt::format("ends[{}].host_netns", i);
      return fail(Errc::not_found, fmt::format("{}: no namespace '{}'", field, file.ends[i].host_netns), field);
    }
  }
  auto netlink = NamespaceNetlink::open(file.netns);
  if (!netlink) return std::unexpected(netlink.error().context("lab plane"));
  std::vector<NicPort> nics;
  for (const auto& end : file.ends) nics.push_back(NicPort{end.host_netns, end.host_dev});
  auto watch = HostLinkWatch::open(nics);
  if (!watch) return std::unexpected(watch.error().context("lab plane"));
  std::unique_ptr<LinkwatchPump> pump;
  if (!file.linkwatch_kick.empty()) {
    auto opened = LinkwatchPump::open(file.netns, file.linkwatch_kick);
    if (!opened) return std::unexpected(opened.error().context("lab plane"));
    pump = std::move(*opened);
  }
  std::shared_ptr<NetnsPlane> plane(
      new NetnsPlane(std::move(file), std::move(*netlink), std::move(pump), std::move(*watch)));
  if (auto ok = plane->reset_kernel(); !ok) return std::unexpected(ok.error().context("lab plane"));
  if (auto ok = plane->start_listening(); !ok) return std::unexpected(ok.error().context("lab plane"));
  return plane;
}

NetnsPlane::NetnsPlane(PlaneFile file, NamespaceNetlink netlink, std::unique_ptr<LinkwatchPump> pump,
                       std::unique_ptr<HostLinkWatch> watch)
    : file_(std::move(file)), netlink_(std::move(netlink)), pump_(std::move(pump)), watch_(std::move(watch)) {
  ends_.reserve(file_.ends.size());
  for (std::size_t i = 0; i < file_.ends.size(); ++i) {
    const PlaneEnd& cfg = file_.ends[i];
    ends_.push_back(End{cfg, cfg.tx, cfg.rx, TrainingDelays(file_.profile, file_.seed, i)});
    const NicPort nic{cfg.host_netns, cfg.host_dev};
    ends_by_nic_[nic].push_back(i);
    // Read at open; a change since then is announced and heard once the watch runs.
    if (const auto it = watch_->at_open().find(nic); it != watch_->at_open().end()) ends_.back().nic_admin_up = it->second.admin_up;
  }
  fibre_lit_ = fibre_lit_ports(end_ports());
}

NetnsPlane::~NetnsPlane() {
  watch_->stop();   // its thread takes the mutex and tells the pump
  timer_.stop();
}

Result<void> NetnsPlane::start_listening() {
  std::vector<HostLinkWatch::Listener> listeners;
  if (pump_) {
    listeners.emplace_back([pump = pump_.get()](const NicLinkState& s) { pump->heard(s.port.netns, s.port.dev, s.oper_up); });
  }
  listeners.emplace_back([this](const NicLinkState& s) { on_nic_link(s); });
  return watch_->start(std::move(listeners));
}

Result<void> NetnsPlane::reset_kernel() {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    const std::string& dev = ends_[i].cfg.dev;
    auto step = [&](Result<void> r) -> Result<void> {
      if (r) return r;
      Error e = r.error();
      e.field = fmt::format("ends[{}].dev", i);
      return std::unexpected(e);
    };
    if (auto index = netlink_.ifindex(dev); !index) return step(std::unexpected(index.error()));
    if (auto ok = step(netlink_.ensure_ingress_qdisc(dev)); !ok) return ok;
    if (auto ok = step(netlink_.clear_redirect(dev)); !ok) return ok;
    if (auto ok = step(netlink_.set_admin_up(dev, false)); !ok) return ok;
  }
  return {};
}

// --- Circuits -------------------------------------------------------------------------------

std::vector<PortLight> NetnsPlane::lit_ports(const CircuitChange& change, std::int64_t ns) const {
  // Light reaches a port when an emitting transmitter sits on the port it comes from.
  const std::set<int> lit = fibre_lit_ports(end_ports());
  auto source_lit = [&](int port) { return lit.contains(port); };
  std::vector<PortLight> out;
  if (source_lit(change.from)) out.push_back(PortLight{change.to, ns});
  if (change.bidirectional && source_lit(change.to)) out.push_back(PortLight{change.from, ns});
  return out;
}

Result<std::vector<PortLight>> NetnsPlane::circuit_made(const CircuitChange& change) {
  std::lock_guard lock(mutex_);
  add_path(paths_, change.from, change.to);
  if (change.bidirectional) add_path(paths_, change.to, change.from);
  std::optional<Error> error;
  const std::int64_t ns = reconcile(change.change_id, error);
  if (error) return std::unexpected(*error);
  return lit_ports(change, ns);
}

Result<std::vector<PortLight>> NetnsPlane::circuit_broken(const CircuitChange& change) {
  std::lock_guard lock(mutex_);
  const bool had = has_path(paths_, change.from, change.to);
  remove_path(paths_, change.from, change.to);
  if (change.bidirectional) remove_path(paths_, change.to, change.from);
  std::optional<Error> error;
  const std::int64_t ns = reconcile(change.change_id, error);
  if (error) return std::unexpected(*error);
  if (!had) return std::vector<PortLight>{};
  return lit_ports(change, ns);
}

std::vector<EndPorts> NetnsPlane::end_ports() const {
  std::vector<EndPorts> ports;
  ports.reserve(ends_.size());
  for (const auto& e : ends_) ports.push_back(EndPorts{e.tx, e.rx, e.dark, e.nic_admin_up});
  return ports;
}

std::int64_t NetnsPlane::reconcile(std::uint64_t change_id, std::optional<Error>& first_error) {
  const std::vector<EndPorts> ports = end_ports();
  const LightOutcome want = evaluate_light(ports, paths_);
  publish_fibre_light(ports);

  // The mirrors first: each end's frames go where its light goes.
  std::int64_t changed_ns = 0;
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    End& e = ends_[i];
    if (want.redirect[i] == e.redirect) continue;
    Result<void> ok = want.redirect[i] ? netlink_.set_redirect(e.cfg.dev, ends_[*want.redirect[i]].cfg.dev)
                                       : netlink_.clear_redirect(e.cfg.dev);
    changed_ns = realtime_ns();
    if (ok) {
      e.redirect = want.redirect[i];
    } else {
      // set_redirect removes the old filter first, so after a failure there is none.
      e.redirect.reset();
      keep_first(first_error, ok.error());
    }
  }
  const std::int64_t light_ns = changed_ns != 0 ? changed_ns : realtime_ns();
  // Ends that lost light (or whose light now pairs them with another end) go dark before any
  // end lights, so a peer swap reads light_off, link_down, light_on.
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    if (ends_[i].peer && ends_[i].peer != want.lit_with[i]) go_dark(i, change_id, light_ns, first_error);
  }
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    if (want.lit_with[i] && !ends_[i].peer) light(i, *want.lit_with[i], change_id, light_ns);
  }
  return light_ns;
}

void NetnsPlane::publish_fibre_light(const std::vector<EndPorts>& ports) {
  std::set<int> lit = fibre_lit_ports(ports);
  if (lit == fibre_lit_) return;
  fibre_lit_ = std::move(lit);
  if (fibre_listener_) fibre_listener_(fibre_lit_);
}

void NetnsPlane::watch_fibre_light(ocs_emu::FibreLightListener listener) {
  std::lock_guard lock(mutex_);
  fibre_listener_ = std::move(listener);
  if (fibre_listener_) fibre_listener_(fibre_lit_);
}

void NetnsPlane::on_nic_link(const NicLinkState& state) {
  std::lock_guard lock(mutex_);
  const auto it = ends_by_nic_.find(state.port);
  if (it == ends_by_nic_.end()) return;
  bool changed = false;
  for (const std::size_t i : it->second) {
    End& e = ends_[i];
    if (e.nic_admin_up == state.admin_up) continue;
    e.nic_admin_up = state.admin_up;
    changed = true;
    log(i, state.admin_up ? EndEventKind::emit_on : EndEventKind::emit_off, realtime_ns(), 0);
  }
  if (!changed) return;
  // A NIC set down announces no carrier of its own from now on: the pump need not wait for one.
  if (pump_ && !state.admin_up) pump_->forget(state.port.netns, state.port.dev);
  std::optional<Error> error;
  reconcile(0, error);   // errors are logged there; nobody waits for this one
}

void NetnsPlane::go_dark(std::size_t i, std::uint64_t change_id, std::int64_t light_ns, std::optional<Error>& first_error) {
  End& e = ends_[i];
  e.peer.reset();
  ++e.generation;        // a pending training is void
  ++e.flap_generation;   // so is a pending flap step (the flap stays armed for the next time up)
  e.flap_down_now = false;
  log(i, EndEventKind::light_off, light_ns, change_id);
  if (e.admin_up) {
    if (auto ok = admin(i, false, change_id, std::nullopt); !ok) keep_first(first_error, ok.error());
  }
}

void NetnsPlane::light(std::size_t i, std::size_t peer, std::uint64_t change_id, std::int64_t light_ns) {
  End& e = ends_[i];
  e.peer = peer;
  e.lit_change = change_id;
  e.training_ms = e.delays.next_ms();
  log(i, EndEventKind::light_on, light_ns, change_id);
  schedule(e.training_ms, &NetnsPlane::on_trained, i, ++e.generation);
}

void NetnsPlane::schedule(double ms, void (NetnsPlane::*step)(std::size_t, std::uint64_t), std::size_t i,
                          std::uint64_t gen) {
  const auto when = TimerThread::Clock::now() +
                    std::chrono::duration_cast<TimerThread::Clock::duration>(std::chrono::duration<double, std::milli>(ms));
  timer_.at(when, [this, step, i, gen] { (this->*step)(i, gen); });
}

void NetnsPlane::on_trained(std::size_t i, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  End& e = ends_[i];
  if (generation != e.generation || !e.peer || e.admin_up) return;
  if (auto ok = admin(i, true, e.lit_change, e.training_ms); !ok) {
    spdlog::warn("lab plane: {}", ok.error().describe());
    return;
  }
  if (e.flap_left > 0) schedule(e.flap_up_ms, &NetnsPlane::flap_down, i, ++e.flap_generation);
}

void NetnsPlane::flap_down(std::size_t i, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  End& e = ends_[i];
  if (generation != e.flap_generation || !e.peer || !e.admin_up || e.flap_left <= 0) return;
  if (auto ok = admin(i, false, 0, std::nullopt); !ok) {
    spdlog::warn("lab plane: flap: {}", ok.error().describe());
    return;
  }
  e.flap_down_now = true;
  schedule(e.flap_down_ms, &NetnsPlane::flap_up, i, generation);
}

void NetnsPlane::flap_up(std::size_t i, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  End& e = ends_[i];
  if (generation != e.flap_generation || !e.peer || !e.flap_down_now) return;
  if (auto ok = admin(i, true, 0, std::nullopt); !ok) {
    spdlog::warn("lab plane: flap: {}", ok.error().describe());
    return;
  }
  e.flap_down_now = false;
  if (--e.flap_left > 0) schedule(e.flap_up_ms, &NetnsPlane::flap_down, i, generation);
}

Result<void> NetnsPlane::admin(std::size_t i, bool up, std::uint64_t change_id, std::optional<double> training_ms) {
  End& e = ends_[i];
  // Before: its announcement may come at once. A NIC that is admin down announces no carrier.
  const bool announced = pump_ && e.nic_admin_up;
  if (announced) pump_->expect(e.cfg.host_netns, e.cfg.host_dev, up);
  auto ok = netlink_.set_admin_up(e.cfg.dev, up);
  const std::int64_t ns = realtime_ns();
  if (!ok) {
    if (announced) pump_->forget(e.cfg.host_netns, e.cfg.host_dev);
    return ok;
  }
  e.admin_up = up;
  log(i, up ? EndEventKind::link_up : EndEventKind::link_down, ns, change_id, training_ms);
  return {};
}

void NetnsPlane::log(std::size_t i, EndEventKind kind, std::int64_t ns, std::uint64_t change_id,
                     std::optional<double> training_ms) {
  events_.add(EndEvent{0, ends_[i].cfg.id, kind, ns, change_id, training_ms});
}

// --- State ----------------------------------------------------------------------------------

EndState NetnsPlane::state_of(const End& e) const {
  if (!e.peer) return EndState::dark;
  return e.admin_up ? EndState::up : EndState::training;
}

Result<EndState> NetnsPlane::state(const std::string& end) const {
  std::lock_guard lock(mutex_);
  auto i = find_end(end, "end");
  if (!i) return std::unexpected(i.error());
  return state_of(ends_[*i]);
}

json NetnsPlane::describe() const {
  std::lock_guard lock(mutex_);
  json ends = json::array();
  for (const auto& e : ends_) {
    json j{{"id", e.cfg.id}, {"dev", e.cfg.dev}, {"host_netns", e.cfg.host_netns}, {"host_dev", e.cfg.host_dev}};
    if (e.cfg.single_port) {
      j["port"] = e.tx;
    } else {
      j["tx"] = e.tx;
      j["rx"] = e.rx;
    }
    j["state"] = to_string(state_of(e));
    j["emitting"] = emits(EndPorts{e.tx, e.rx, e.dark, e.nic_admin_up});
    j["nic_admin_up"] = e.nic_admin_up;
    j["peer"] = e.peer ? json(ends_[*e.peer].cfg.id) : json(nullptr);
    j["training_ms"] = e.peer ? json(e.training_ms) : json(nullptr);
    j["faults"] = json{{"dark", e.dark},
                       {"cap_mbit", e.cap_mbit ? json(*e.cap_mbit) : json(nullptr)},
                       {"flapping", e.flap_left > 0},
                       {"miswired_with", e.miswired_with ? json(ends_[*e.miswired_with].cfg.id) : json(nullptr)}};
    ends.push_back(std::move(j));
  }
  return json{{"plane", "netns"},
              {"netns", file_.netns},
              {"profile", file_.profile.name},
              {"seed", file_.seed},
              {"last_seq", events_.last_seq()},
              {"line_rate_mbit", line_rate_mbit_ ? json(*line_rate_mbit_) : json(nullptr)},
              {"linkwatch_kick", pump_ ? json{{"dev", file_.linkwatch_kick}, {"flips", pump_->flips()}, {"gave_up", pump_->gave_up()}, {"awaited", pump_->awaited()}} : json(nullptr)},
              {"ends", ends}};
}

std::vector<EndEvent> NetnsPlane::events(std::uint64_t after, std::size_t limit) const {
  std::lock_guard lock(mutex_);
  return events_.since(after, limit);
}

Result<std::size_t> NetnsPlane::find_end(const std::string& id, const std::string& field) const {
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    if (ends_[i].cfg.id == id) return i;
  }
  return fail(Errc::not_found, fmt::format("{}: no end '{}'", field, id), field);
}

Result<void> NetnsPlane::failed(std::optional<Error>& first_error) const {
  if (first_error) return std::unexpected(*first_error);
  return {};
}

}  // namespace mixnet::lab
