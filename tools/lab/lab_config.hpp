#pragma once
// What lab to build: sizes, regions, name, directory, link-training profile, seed. Comes from
// defaults (the MixNet prototype: 4 hosts x 8 GPUs, 3 OCS ports + 1 EPS port each), then a preset
// (lab_presets.hpp), then an optional YAML config file, then command-line flags. validate() checks
// everything at the edge and names the bad field.
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "tools/lab/plane/netns_netlink.hpp"

namespace mixnet::lab {

struct SwitchSize {
  int inputs = 0;         // N
  int outputs = 0;        // M of NxM; 0 when any_to_any
  bool any_to_any = false;  // NxCC
  [[nodiscard]] std::string text() const;  // "16x16" / "48xCC"
};

Result<SwitchSize> parse_switch_size(const std::string& text);

struct LabConfig {
  std::string name = "lab";
  std::string dir;                 // empty: default_dir(name)
  int hosts = 4;
  int ocs_ports = 3;               // per host
  int eps_ports = 1;               // per host
  int gpus = 8;                    // per host, recorded in the inventory
  // Hosts 1..K form region 1, K+1..2K region 2, ...; each region's OCS ports are cabled to the
  // region's own OCS (switch ocs<r>). 0: one region holding every host (one OCS, ocs1).
  int hosts_per_region = 0;
  // Every region's OCS. Empty: per region, the smallest square NxM that fits (at least 16x16).
  std::optional<SwitchSize> switch_size;
  std::string profile = "fast";    // link-training model, passed to the plane
  std::string switching_time;      // empty: the emulator's default
  std::uint64_t seed = 1;
  // The agents' --carrier-poll-us (0: off). Empty: 100 us up to 8 hosts (sharper carrier stamps
  // for measurements; the agents read that often only for a few seconds after a change), off
  // above (32 agents reading carrier bits would load the machine).
  std::optional<std::uint32_t> carrier_poll_us;
  // The agents' and the emulator's --stamp-priority (SCHED_FIFO of their stamping threads; 0:
  // normal priority). Empty: theirs (10), so the ground truth and the measurement hold on a busy
  // machine without any `chrt`.
  std::optional<int> stamp_priority;
  // Agents serve plain HTTP instead of HTTPS with the lab's CA (the token crosses the management
  // network in clear). Only when asked for by name; `up` warns and `status` says so.
  bool insecure_plain_http = false;
  // The plane's linkwatch pump (docs/ocs-emulator.md): on unless switched off, to compare.
  bool linkwatch_pump = true;
  // Every data port shaped to this many Mbit/s once up (`mixnet-lab shape`); empty: unshaped.
  std::optional<int> line_rate_mbit;
};

std::uint32_t effective_carrier_poll_us(const LabConfig& c);

inline constexpr int kMaxHosts = 200;        // management addresses .10 .. .209 of one /24
inline constexpr int kMaxOcsPortsPerHost = 16;
inline constexpr int kMaxEpsPortsPerHost = 8;
// The line rate `shape` takes: what the plane's tbf (NamespaceNetlink::set_rate_cap) takes.
inline constexpr int kMaxLineRateMbit = NamespaceNetlink::kMaxRateMbit;
inline constexpr std::size_t kMaxNameLength = 9;  // "mxl-" + name + "-m" must fit IFNAMSIZ-1 = 15

std::string default_dir(const std::string& name);   // /run/mixnet-lab/<name>

// Hosts per region as built: hosts_per_region, or every host when it is 0.
int effective_hosts_per_region(const LabConfig& c);
// R = ceil(hosts / hosts per region).
int region_count(const LabConfig& c);
// Hosts of region r (1-based): hosts per region, fewer in the last region when it does not divide.
int hosts_in_region(const LabConfig& c, int region);

// A region's switch: the configured size, or the smallest square NxM of at least 16 ports a side
// that fits its `hosts` hosts' OCS ports (rounded up to a multiple of 8, like real switch sizes).
SwitchSize effective_switch_size(const LabConfig& c, int hosts);

// Reads a YAML config file over `c` (keys as in docs/lab.md; unknown keys are errors naming the
// file and key): first the preset (`preset_override` when given, as --preset, else the file's
// `preset:` key), then every other key of the file, so the file's own keys override its preset.
Result<void> load_config_file(const std::string& path, LabConfig& c,
                              const std::optional<std::string>& preset_override = std::nullopt);

// Checks every field; the error's field names it ("hosts", "switch-size", ...).
Result<void> validate(const LabConfig& c);

}  // namespace mixnet::lab
