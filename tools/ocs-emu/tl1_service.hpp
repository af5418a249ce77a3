#pragma once
// TL1 command handling for the emulator, Polatis and Calient dialects, without sockets: a command
// text goes in, a reply (and what the session must do) comes out. The emulator's TCP sessions
// and the fuzz target call exactly this.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/ocs-emu/switch_model.hpp"

namespace mixnet::ocs_emu {

enum class Dialect { polatis, calient };

struct Tl1SessionState {
  Dialect dialect = Dialect::polatis;
  std::uint64_t id = 0;
  bool logged_in = false;
  std::string user;
};

struct Tl1Outcome {
  std::string reply;                // the formatted reply (empty when the session is dropped)
  std::uint64_t batch = 0;          // non-zero: send the reply once this batch has settled
  std::optional<DropWhen> drop;     // the drop-session fault fired: close without replying
  bool denied = false;
};

// Handles one command text (up to and including ';'). The model must be locked by the caller.
Tl1Outcome handle_tl1(SwitchModel& model, Tl1SessionState& session, std::string_view text, Now now);

// Calient dotted port names: 8 ports per slot, 8 slots per shelf ("1.1.1" is port 1, "1.2.1"
// port 9, "2.1.1" port 65). Errors name "aid".
std::string calient_port_name(int port);
Result<int> parse_calient_port(std::string_view name);

}  // namespace mixnet::ocs_emu
