#pragma once
// The subcommands of mixnet-lab. Each returns the process exit code (0 ok, 1 failed, 2 bad input)
// and prints what it did; docs/lab.md describes them.
#include <optional>
#include <string>

#include "tools/lab/lab_config.hpp"

namespace mixnet::lab {

struct UpOptions {
  LabConfig config;
  bool replace = false;
};
int cmd_up(const UpOptions& options);

// Which lab: a directory, or a name (default dir /run/mixnet-lab/<name>).
struct LabRef {
  std::string name = "lab";
  std::string dir;   // empty: default_dir(name)
  [[nodiscard]] std::string resolved_dir() const { return dir.empty() ? default_dir(name) : dir; }
};

struct DownReport {
  std::size_t processes = 0, namespaces = 0, links = 0, files = 0;
};
// Removes everything lab `ref` may have made; quiet=false prints a summary. Idempotent.
Result<DownReport> tear_down(const LabRef& ref, bool quiet);
int cmd_down(const LabRef& ref);

int cmd_status(const LabRef& ref, bool json);

struct FaultOptions {
  std::string kind;           // miswire | dark | cap | flap | weak | clear
  std::string a, b;           // ports HOST:PORT (b only for miswire; a optional for clear)
  int mbit = 0;
  int count = 3, down_ms = 200, up_ms = 200;
  double loss_db = 0.0;       // weak: extra loss at the port's OCS ports
};
int cmd_fault(const LabRef& ref, const FaultOptions& options);

// `shape`: every data port of the lab at one line rate (mbit), or back to unshaped (off).
struct ShapeOptions {
  std::optional<int> mbit;
  bool off = false;
};
int cmd_shape(const LabRef& ref, const ShapeOptions& options);

// The work of `shape` (and of `up --line-rate-mbit`) on the lab in `dir`: a tbf at `mbit` on both
// ends of every OCS port (through each emulator's plane, which keeps it across circuit changes)
// and every EPS port, and the inventory's expect.speed_mbps; none removes all three.
struct ShapeReport {
  int ocs_ports = 0, eps_ports = 0;
};
Result<ShapeReport> shape_lab(const std::string& dir, std::optional<int> mbit);

// Whether anything of lab `name` (or its dir) exists: state file, namespaces or root links.
bool lab_exists(const std::string& name, const std::string& dir);

}  // namespace mixnet::lab
