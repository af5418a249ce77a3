// mixnet-coord: see coordinator/cli/commands.hpp and docs/playbooks.md.
#include "coordinator/cli/commands.hpp"

int main(int argc, char** argv) { return mixnet::coord::run_cli(argc, argv); }
