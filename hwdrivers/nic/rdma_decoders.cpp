// Decoders for ibv_port_attr codes. Speed and width strings are those of rdma-core's devinfo
// example (and ibv_devinfo), so what the agent reports matches what an operator types in a shell;
// state names are the kernel's sysfs spellings, so verbs and sysfs values read the same.
#include <fmt/format.h>

#include "hwdrivers/nic/rdma_inventory.hpp"

namespace mixnet::nic {

std::string decode_active_speed(unsigned speed_code) {
  switch (speed_code) {
    case 1: return "2.5 Gbps";     // SDR
    case 2: return "5.0 Gbps";     // DDR
    case 4:                        // QDR
    case 8: return "10.0 Gbps";    // FDR10
    case 16: return "14.0 Gbps";   // FDR
    case 32: return "25.0 Gbps";   // EDR
    case 64: return "50.0 Gbps";   // HDR
    case 128: return "100.0 Gbps"; // NDR
    case 256: return "200.0 Gbps"; // XDR
    default: return "unknown";
  }
}

std::string decode_active_width(unsigned width_code) {
  switch (width_code) {
    case 1: return "1X";
    case 2: return "4X";
    case 4: return "8X";
    case 8: return "12X";
    case 16: return "2X";
    default: return "unknown";
  }
}

std::string port_state_name(int state) {
  switch (state) {
    case 0: return "NOP";
    case 1: return "DOWN";
    case 2: return "INIT";
    case 3: return "ARMED";
    case 4: return "ACTIVE";
    case 5: return "ACTIVE_DEFER";
    default: return fmt::format("UNKNOWN({})", state);
  }
}

std::string phys_state_name(int phys_state) {
  switch (phys_state) {
    case 1: return "Sleep";
    case 2: return "Polling";
    case 3: return "Disabled";
    case 4: return "PortConfigurationTraining";
    case 5: return "LinkUp";
    case 6: return "LinkErrorRecovery";
    case 7: return "Phy Test";
    default: return fmt::format("Unknown({})", phys_state);
  }
}

}  // namespace mixnet::nic
