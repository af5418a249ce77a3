#include "tools/lab/lab_config.hpp"

#include <algorithm>
#include <charconv>
#include <yaml-cpp/yaml.h>

#include "common/thread_priority.hpp"
#include "tools/lab/lab_presets.hpp"

namespace mixnet::lab {

std::string SwitchSize::text() const {
  return std::to_string(inputs) + "x" + (any_to_any ? std::string("CC") : std::to_string(outputs));
}

namespace {

bool parse_int(std::string_view s, int& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc{} && ptr == s.data() + s.size();
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  // Letters and digits only: a dash would let "mxl-a-" (lab "a") prefix-match lab "a-b"'s names.
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) return false;
  }
  return true;
}

bool known_profile(const std::string& p) {
  if (p == "fast" || p == "realistic") return true;
  // Parameterised models ("fixed:MS", "uniform:MIN:MAX", "normal:MEAN:SD") are checked by the plane.
  return p.starts_with("fixed:") || p.starts_with("uniform:") || p.starts_with("normal:");
}

}  // namespace

Result<SwitchSize> parse_switch_size(const std::string& text) {
  const auto x = text.find_first_of("xX");
  if (x == std::string::npos) return fail(Errc::invalid_argument, "expected NxM or NxCC, got '" + text + "'", "switch-size");
  SwitchSize s;
  const std::string_view n = std::string_view(text).substr(0, x);
  const std::string_view m = std::string_view(text).substr(x + 1);
  if (!parse_int(n, s.inputs) || s.inputs < 1 || s.inputs > 576) {
    return fail(Errc::invalid_argument, "'" + std::string(n) + "' is not a port count 1..576", "switch-size");
  }
  if (m == "CC" || m == "cc") {
    s.any_to_any = true;
    return s;
  }
  if (!parse_int(m, s.outputs) || s.outputs < 1 || s.outputs > 576) {
    return fail(Errc::invalid_argument, "'" + std::string(m) + "' is not a port count 1..576 or CC", "switch-size");
  }
  return s;
}

std::string default_dir(const std::string& name) { return "/run/mixnet-lab/" + name; }

int effective_hosts_per_region(const LabConfig& c) {
  return c.hosts_per_region > 0 ? c.hosts_per_region : c.hosts;
}

int region_count(const LabConfig& c) {
  const int per = effective_hosts_per_region(c);
  return per > 0 ? (c.hosts + per - 1) / per : 1;
}

int hosts_in_region(const LabConfig& c, int region) {
  const int per = effective_hosts_per_region(c);
  return std::min(per, c.hosts - (region - 1) * per);
}

SwitchSize effective_switch_size(const LabConfig& c, int hosts) {
  if (c.switch_size) return *c.switch_size;
  const int ports = hosts * c.ocs_ports;
  int side = ((ports + 7) / 8) * 8;
  if (side < 16) side = 16;
  return SwitchSize{side, side, false};
}

Result<void> load_config_file(const std::string& path, LabConfig& c, const std::optional<std::string>& preset_override) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_argument, path + ": " + e.what(), "config");
  }
  if (!root.IsNull() && !root.IsMap()) return fail(Errc::invalid_argument, path + ": expected a mapping of settings", "config");
  // The preset first, wherever the key sits in the file: the file's other keys override it.
  std::optional<std::string> preset = preset_override;
  if (!preset && root.IsMap() && root["preset"]) {
    const YAML::Node v = root["preset"];
    try {
      preset = v.as<std::string>();
    } catch (const YAML::Exception&) {
      return fail(Errc::invalid_argument, path + ":" + std::to_string(v.Mark().line + 1) + ": preset: wrong type", "preset");
    }
  }
  if (preset) {
    if (auto r = apply_preset(*preset, c); !r) return fail(Errc::invalid_argument, path + ": " + r.error().message, "preset");
  }
  if (root.IsNull()) return {};
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const auto where = [&] { return path + ":" + std::to_string(v.Mark().line + 1) + ": " + key; };
    try {
      if (key == "preset") continue;   // applied above
      else if (key == "name") c.name = v.as<std::string>();
      else if (key == "dir") c.dir = v.as<std::string>();
      else if (key == "hosts") c.hosts = v.as<int>();
      else if (key == "ocs_ports") c.ocs_ports = v.as<int>();
      else if (key == "eps_ports") c.eps_ports = v.as<int>();
      else if (key == "gpus") c.gpus = v.as<int>();
      else if (key == "hosts_per_region") c.hosts_per_region = v.as<int>();
      else if (key == "profile") c.profile = v.as<std::string>();
      else if (key == "switching_time") c.switching_time = v.as<std::string>();
      else if (key == "seed") c.seed = v.as<std::uint64_t>();
      else if (key == "carrier_poll_us") c.carrier_poll_us = v.as<std::uint32_t>();
      else if (key == "stamp_priority") c.stamp_priority = v.as<int>();
      else if (key == "insecure_plain_http") c.insecure_plain_http = v.as<bool>();
      else if (key == "linkwatch_pump") c.linkwatch_pump = v.as<bool>();
      else if (key == "line_rate_mbit") c.line_rate_mbit = v.as<int>();
      else if (key == "switch_size") {
        auto s = parse_switch_size(v.as<std::string>());
        if (!s) return fail(Errc::invalid_argument, where() + ": " + s.error().message, key);
        c.switch_size = *s;
      } else {
        return fail(Errc::invalid_argument,
                    where() + ": unknown key (preset, name, dir, hosts, ocs_ports, eps_ports, gpus, hosts_per_region, "
                              "switch_size, profile, switching_time, seed, carrier_poll_us, stamp_priority, "
                              "insecure_plain_http, linkwatch_pump, line_rate_mbit)",
                    key);
      }
    } catch (const YAML::Exception&) {
      return fail(Errc::invalid_argument, where() + ": wrong type", key);
    }
  }
  return {};
}

std::uint32_t effective_carrier_poll_us(const LabConfig& c) {
  return c.carrier_poll_us.value_or(c.hosts <= 8 ? 100 : 0);
}

Result<void> validate(const LabConfig& c) {
  if (c.stamp_priority && (*c.stamp_priority < 0 || *c.stamp_priority > kMaxStampPriority)) {
    return fail(Errc::invalid_argument, "must be 0 (normal priority) or 1..99 (SCHED_FIFO)", "stamp_priority");
  }
  if (c.carrier_poll_us && *c.carrier_poll_us != 0 && (*c.carrier_poll_us < 50 || *c.carrier_poll_us > 1'000'000)) {
    return fail(Errc::invalid_argument, "must be 0 (off) or 50..1000000 microseconds", "carrier_poll_us");
  }
  if (c.line_rate_mbit && (*c.line_rate_mbit < 1 || *c.line_rate_mbit > kMaxLineRateMbit)) {
    return fail(Errc::invalid_argument, "must be 1.." + std::to_string(kMaxLineRateMbit) + " Mbit/s", "line-rate-mbit");
  }
  if (!valid_name(c.name)) {
    return fail(Errc::invalid_argument, "'" + c.name + "' must be 1.." + std::to_string(kMaxNameLength) +
                                            " lower-case letters or digits (it prefixes kernel link names)",
                "name");
  }
  if (c.hosts < 1 || c.hosts > kMaxHosts) {
    return fail(Errc::invalid_argument, "must be 1.." + std::to_string(kMaxHosts), "hosts");
  }
  if (c.ocs_ports < 0 || c.ocs_ports > kMaxOcsPortsPerHost) {
    return fail(Errc::invalid_argument, "must be 0.." + std::to_string(kMaxOcsPortsPerHost), "ocs-ports");
  }
  if (c.eps_ports < 0 || c.eps_ports > kMaxEpsPortsPerHost) {
    return fail(Errc::invalid_argument, "must be 0.." + std::to_string(kMaxEpsPortsPerHost), "eps-ports");
  }
  if (c.ocs_ports + c.eps_ports < 1) return fail(Errc::invalid_argument, "a host needs at least one data port", "ocs-ports");
  if (c.gpus < 0 || c.gpus > 64) return fail(Errc::invalid_argument, "must be 0..64", "gpus");
  if (!known_profile(c.profile)) {
    return fail(Errc::invalid_argument,
                "'" + c.profile + "' is not fast, realistic, fixed:MS, uniform:MIN:MAX or normal:MEAN:SD", "profile");
  }
  if (!c.dir.empty() && c.dir.front() != '/') return fail(Errc::invalid_argument, "must be an absolute path", "dir");
  if (c.hosts_per_region < 0 || c.hosts_per_region > c.hosts) {
    return fail(Errc::invalid_argument,
                "must be 0 (one region) or 1.." + std::to_string(c.hosts) + " (at most the lab's hosts), got " +
                    std::to_string(c.hosts_per_region),
                "hosts-per-region");
  }
  // The first region is the largest: if its switch fits, every region's does.
  const int largest = hosts_in_region(c, 1);
  const SwitchSize s = effective_switch_size(c, largest);
  const int ports = largest * c.ocs_ports;
  if (s.inputs < ports || (!s.any_to_any && s.outputs < ports)) {
    return fail(Errc::invalid_argument,
                s.text() + " has too few ports for " + std::to_string(ports) + " cabled NIC ports" +
                    (region_count(c) > 1 ? " (per region)" : ""),
                "switch-size");
  }
  return {};
}

}  // namespace mixnet::lab
