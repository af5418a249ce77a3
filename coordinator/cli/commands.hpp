#pragma once
// mixnet-coord's command line (docs/playbooks.md, "Command line"). Exit codes:
//   0  the run passed (or the files are valid, the listing worked)
//   1  the run failed, or was interrupted
//   2  bad input: command line, playbook, inventory or topology (nothing was run)
//   3  the results store cannot be opened or written
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/engine/registry.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/playbook/playbook.hpp"

namespace mixnet::coord {

inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitStore = 3;

inline constexpr const char* kDefaultRunsDir = "mixnet-runs";   // runs go to ./mixnet-runs/RUN_ID

// A playbook with everything it refers to, read and validated.
struct Loaded {
  Inventory inventory;
  TopologySet topologies;
  Playbook playbook;
};
// Reads the inventory, the playbook, the playbook's topology files plus `extra_topology_files`,
// and validates every step. The first error wins; it names file:line.
Result<Loaded> load_playbook_run(const std::string& playbook_path, const std::string& inventory_path,
                                 const std::vector<std::string>& extra_topology_files, const ModuleRegistry& registry);

// "20261129T094512Z-3f2a": sortable, unique enough across coordinators.
std::string new_run_id();

int run_cli(int argc, char** argv);

}  // namespace mixnet::coord
