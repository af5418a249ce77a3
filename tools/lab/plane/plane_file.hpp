#pragma once
// The plane file: what `mixnet-lab up` writes and `mixnet-ocs-emu --lab-plane FILE` reads. It
// names the namespace holding the OCS-side veth ends, the link-training profile, and for every
// NIC port cabled to the switch its OCS-side dev, its host-side peer and the OCS ports its fibres
// sit on. Validation is strict: unknown keys, duplicates and ports outside the switch are errors
// that name the field ("ends[3].tx"). docs/ocs-emulator.md ("The lab plane") shows an example.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "tools/lab/plane/training_model.hpp"
#include "tools/ocs-emu/emulator_types.hpp"

namespace mixnet::lab {

// The switch the plane sits in: its ports bound what the file may name.
struct SwitchShape {
  ocs_emu::SwitchMode mode = ocs_emu::SwitchMode::nxm;
  int inputs = 16;    // NxM: inputs 1..N; any-to-any: ports 1..N
  int outputs = 16;   // NxM: outputs N+1..N+M
};

struct PlaneEnd {
  std::string id;          // "h1:ocs0": the NIC port, as the inventory names it
  std::string dev;         // the OCS-side veth end inside the plane namespace
  std::string host_netns;  // where the NIC port (the veth peer) lives
  std::string host_dev;
  // NxM: the TX fibre on an input, the RX fibre on an output. Any-to-any: one port for both
  // ("port" in the file; tx == rx here).
  int tx = 0;
  int rx = 0;
  bool single_port = false;   // written as "port"
};

struct PlaneFile {
  std::string netns;
  TrainingProfile profile;
  std::uint64_t seed = 1;
  std::vector<PlaneEnd> ends;
  // A spare veth end in `netns` (its peer there stays up) that the plane flips after its own
  // changes so the kernel announces them at once (linkwatch_pump.hpp). Empty: no pump.
  std::string linkwatch_kick;
};

// Parses and validates the JSON text against the switch. Errors name the field.
Result<PlaneFile> parse_plane_file(std::string_view json_text, const SwitchShape& shape);
// Reads FILE (at most 16 MiB) and parses it.
Result<PlaneFile> load_plane_file(const std::string& path, const SwitchShape& shape);

// The plane's input errors (plane file and fault requests): invalid_argument, "FIELD: WHY", naming FIELD.
std::unexpected<Error> bad_field(const std::string& field, const std::string& why);

}  // namespace mixnet::lab
