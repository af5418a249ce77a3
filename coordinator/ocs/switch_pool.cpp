#include "coordinator/ocs/switch_pool.hpp"

#include <algorithm>

#include "coordinator/model/inventory.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"

namespace mixnet::coord {

namespace {

// Check mode's view of a switch: reads pass through, changes are refused before the switch
// hears of them.
class ReadOnlySwitch final : public ocs::OpticalSwitch {
 public:
  ReadOnlySwitch(std::unique_ptr<ocs::OpticalSwitch> inner, std::string name) : inner_(std::move(inner)), name_(std::move(name)) {}
  Result<ocs::Timed<ocs::SwitchInfo>> info() override { return inner_->info(); }
  Result<ocs::Timed<std::vector<ocs::CrossConnect>>> list() override { return inner_->list(); }
  Result<ocs::Timed<ocs::Done>> apply(const ocs::ChangeSet&) override { return refuse("apply a change set"); }
  Result<ocs::Timed<std::vector<ocs::PortState>>> port_status(const std::vector<ocs::PortId>& ports) override {
    return inner_->port_status(ports);
  }
  Result<ocs::Timed<std::vector<ocs::PortPower>>> power(const std::vector<ocs::PortId>& ports) override {
    return inner_->power(ports);
  }
  Result<ocs::Timed<ocs::Done>> set_port_enabled(const ocs::PortId& port, bool) override {
    return refuse("enable or disable port " + port);
  }

 private:
  std::unexpected<Error> refuse(const std::string& what) const {
    return fail(Errc::denied, "check mode: refusing to " + what + " on switch " + name_);
  }
  std::unique_ptr<ocs::OpticalSwitch> inner_;
  std::string name_;
};

std::string endpoint_of(const ocs::SwitchUri& uri) {
  const bool v6 = uri.host.find(':') != std::string::npos;
  return (v6 ? "[" + uri.host + "]" : uri.host) + ":" + std::to_string(uri.port);
}

}  // namespace

struct SwitchPool::Entry {
  SwitchEndpoint endpoint;
  // Held while the switch is leased and opened, and by readers of the two below: switches open in
  // parallel (apply_topology drives them at once), one switch's login never waits for another's.
  mutable std::mutex mutex;
  std::vector<OcsLease> leases;
  std::unique_ptr<ocs::OpticalSwitch> driver;
};

SwitchPool::SwitchPool(std::vector<SwitchEndpoint> switches, SwitchPoolOptions options) : options_(std::move(options)) {
  if (options_.lease_dir.empty()) options_.lease_dir = default_lease_dir();
  for (auto& s : switches) {
    auto e = std::make_unique<Entry>();
    const std::string name = s.name;
    e->endpoint = std::move(s);
    switches_.emplace(name, std::move(e));
  }
}

// Drivers go first (a TL1 driver logs out on destruction), then the leases.
SwitchPool::~SwitchPool() {
  for (auto& [name, e] : switches_) e->driver.reset();
}

std::vector<std::string> SwitchPool::names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, e] : switches_) out.push_back(name);
  return out;
}

Result<std::vector<std::string>> SwitchPool::lease_endpoints(const SwitchEndpoint& sw) {
  std::vector<std::string> out;
  std::vector<std::string> uris{sw.uri};
  uris.insert(uris.end(), sw.alt_uris.begin(), sw.alt_uris.end());
  for (std::size_t i = 0; i < uris.size(); ++i) {
    auto parsed = ocs::parse_switch_uri(uris[i]);
    if (!parsed) {
      return std::unexpected(parsed.error().context("switch " + sw.name + (i == 0 ? " uri" : " alt_uris[" + std::to_string(i - 1) + "]")));
    }
    const std::string ep = endpoint_of(*parsed);
    if (std::find(out.begin(), out.end(), ep) == out.end()) out.push_back(ep);
  }
  return out;
}

Result<ocs::OpticalSwitch*> SwitchPool::get(const std::string& switch_name) {
  Entry* entry = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = switches_.find(switch_name);
    if (it == switches_.end()) return fail(Errc::not_found, "no OCS switch named '" + switch_name + "' in the inventory", "switch");
    entry = it->second.get();
  }
  Entry& e = *entry;
  std::lock_guard lock(e.mutex);
  if (e.driver) return e.driver.get();

  auto endpoints = lease_endpoints(e.endpoint);
  if (!endpoints) return std::unexpected(endpoints.error());
  std::vector<OcsLease> leases;
  if (!options_.check_mode) {
    // Every endpoint of the switch, in a fixed order; all or none (a refusal drops the others).
    std::vector<std::string> sorted = *endpoints;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& ep : sorted) {
      auto lease = OcsLease::acquire(options_.lease_dir,
                                     this_process_holder(options_.run_id, options_.holder, e.endpoint.name, ep));
      if (!lease) return std::unexpected(lease.error());
      leases.push_back(std::move(*lease));
    }
  }
  auto opened = options_.opener ? options_.opener(e.endpoint.uri) : ocs::open_switch(e.endpoint.uri);
  if (!opened) return std::unexpected(opened.error().context("open switch " + e.endpoint.name));
  if (!*opened) return fail(Errc::internal, "open switch " + e.endpoint.name + ": the opener returned nothing");
  e.leases = std::move(leases);
  if (options_.check_mode) e.driver = std::make_unique<ReadOnlySwitch>(std::move(*opened), e.endpoint.name);
  else e.driver = std::move(*opened);
  return e.driver.get();
}

std::vector<LeaseHolder> SwitchPool::leases() const {
  std::lock_guard lock(mutex_);
  std::vector<LeaseHolder> out;
  for (const auto& [name, e] : switches_) {
    std::lock_guard entry_lock(e->mutex);
    for (const auto& l : e->leases) out.push_back(l.holder());
  }
  return out;
}

std::string resolve_uri_files(const std::string& uri, const std::string& base_dir) {
  const auto q = uri.find('?');
  if (q == std::string::npos || base_dir.empty()) return uri;
  const std::string dir = base_dir.back() == '/' ? base_dir : base_dir + "/";
  std::string out = uri.substr(0, q + 1);
  for (std::size_t pos = q + 1;;) {
    const auto amp = uri.find('&', pos);
    std::string item = uri.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    for (const std::string key : {"password-file=", "ca-file="}) {
      if (item.starts_with(key) && item.size() > key.size() && item[key.size()] != '/') item.insert(key.size(), dir);
    }
    out += item;
    if (amp == std::string::npos) return out;
    out += '&';
    pos = amp + 1;
  }
}

Result<std::unique_ptr<SwitchPool>> make_switch_pool(const Inventory& inventory, SwitchPoolOptions options) {
  std::string base_dir;
  if (!inventory.path.empty()) {
    const auto slash = inventory.path.rfind('/');
    base_dir = slash == std::string::npos ? "." : inventory.path.substr(0, slash == 0 ? 1 : slash);
  }
  std::vector<SwitchEndpoint> switches;
  for (const auto& s : inventory.switches) {
    if (s.kind != SwitchKind::ocs) continue;
    SwitchEndpoint e{.name = s.name, .uri = resolve_uri_files(s.uri, base_dir)};
    for (const auto& alt : s.alt_uris) e.alt_uris.push_back(resolve_uri_files(alt, base_dir));
    switches.push_back(std::move(e));
  }
  return std::make_unique<SwitchPool>(std::move(switches), std::move(options));
}

}  // namespace mixnet::coord
