#pragma once
// mixnet-ocs: drive any optical switch by hand during bring-up. The whole program is run_ocs_cli(),
// so tests run it in process against the emulator and read what it printed.
#include <ostream>

namespace mixnet::ocs_cli {

// Exit codes: 0 done; 1 the switch refused or failed (the message says why); 2 bad usage or URI.
int run_ocs_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace mixnet::ocs_cli
