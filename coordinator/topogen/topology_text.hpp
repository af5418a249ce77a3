#pragma once
// Generated topologies as a topology file (docs/playbooks.md, "Topology files"), which
// `topology verify`/`show` and playbooks read back.
#include <string>
#include <vector>

#include "coordinator/model/topology.hpp"

namespace mixnet::coord::topogen {

// `comment` (one line per line, may be empty) goes first as YAML comments.
std::string topology_file_text(const std::vector<Topology>& topologies, const std::string& comment);

}  // namespace mixnet::coord::topogen
