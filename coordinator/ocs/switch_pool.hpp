#pragma once
// The run's optical switches: one OpticalSwitch driver per inventory OCS switch, opened on first
// use, with the switch's lease (coordinator/ocs/ocs_lease.hpp) taken before the driver is opened
// and held until the pool goes (the end of the run).
//
// Check mode takes no lease and hands out a read-only view of each switch: info, list, status and
// power work; apply and set_port_enabled are refused without reaching the switch, so a check run
// cannot change the switch even through a bug in a module.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/ocs/ocs_lease.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

struct Inventory;

struct SwitchEndpoint {
  std::string name;                    // the inventory's switch name
  std::string uri;                     // open_switch() URI
  std::vector<std::string> alt_uris;   // the same switch over other protocols: leased too
};

using SwitchOpener = std::function<Result<std::unique_ptr<ocs::OpticalSwitch>>(const std::string& uri)>;

struct SwitchPoolOptions {
  std::string lease_dir;    // empty: default_lease_dir()
  std::string run_id;
  std::string holder;       // who we are, written into the lease: "mixnet-coord run bringup.yaml"
  bool check_mode = false;  // no lease; switches are read-only
  SwitchOpener opener;      // empty: ocs::open_switch
};

class SwitchPool {
 public:
  SwitchPool(std::vector<SwitchEndpoint> switches, SwitchPoolOptions options);
  ~SwitchPool();
  SwitchPool(const SwitchPool&) = delete;
  SwitchPool& operator=(const SwitchPool&) = delete;

  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] bool check_mode() const { return options_.check_mode; }

  // The switch's driver: the first call takes the lease (unless in check mode) and opens the
  // driver. Errors: not_found (no such OCS switch), conflict (another coordinator holds the lease:
  // the message names it), invalid_argument (a bad URI), io (the lease directory). A failure is
  // not remembered: the next call tries again.
  Result<ocs::OpticalSwitch*> get(const std::string& switch_name);

  // The leases held now (for reports and tests).
  [[nodiscard]] std::vector<LeaseHolder> leases() const;

  // The endpoints ("HOST:PORT") of a switch's URI and alternative URIs, in order, without repeats.
  static Result<std::vector<std::string>> lease_endpoints(const SwitchEndpoint& sw);

 private:
  struct Entry;
  SwitchPoolOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> switches_;
};

// The pool for the inventory's OCS switches. A relative password-file or ca-file in a URI is
// resolved against the inventory file's folder, like token files. Never fails today (URIs are checked when
// a switch is first used); the Result leaves room for checks that need the whole inventory.
Result<std::unique_ptr<SwitchPool>> make_switch_pool(const Inventory& inventory, SwitchPoolOptions options);

// A URI with its relative file options (password-file=PATH, ca-file=PATH) made absolute against
// `base_dir` (unchanged otherwise).
std::string resolve_uri_files(const std::string& uri, const std::string& base_dir);

}  // namespace mixnet::coord
