#include <iostream>

#include "tools/mixnet-ocs/ocs_cli.hpp"

int main(int argc, char** argv) { return mixnet::ocs_cli::run_ocs_cli(argc, argv, std::cout, std::cerr); }
