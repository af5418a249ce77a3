#include "coordinator/model/inventory.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/cidr.hpp"
#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord {
namespace {

using yamlx::error_at;
using yamlx::join;
using yamlx::Source;

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-'; }

// Host and switch names: [A-Za-z0-9_.-]{1,63}.
bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 63 && std::ranges::all_of(name, is_name_char);
}

// Linux netdev names: 1..15 bytes, no '/', ':' or whitespace.
bool valid_netdev(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::ranges::none_of(name, [](char c) { return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) != 0; });
}

// The one CIDR rule (common/cidr.hpp): the address nic.configure will later send to an agent.
bool valid_cidr(const std::string& text) { return normalize_cidr(text, "address").has_value(); }

std::optional<std::string> normalized_mac(std::string text) {
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i % 3 == 2) {
      if (text[i] != ':') return std::nullopt;
    } else if (std::isxdigit(static_cast<unsigned char>(text[i])) == 0) {
      return std::nullopt;
    } else {
      text[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    }
  }
  return text;
}

// http(s)://ADDR:PORT with an optional path.
bool valid_url(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  else if (rest.starts_with("https://")) rest.remove_prefix(8);
  else return false;
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (rest.front() == '[' && rest.find(']') > colon) return false;
  const auto port = rest.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::ranges::all_of(port, ::isdigit)) return false;
  const int number = std::stoi(std::string(port));
  return number >= 1 && number <= 65535;
}

std::string resolve_path(const std::string& base_dir, const std::string& file) {
  std::filesystem::path p(file);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

// Switch port numbers are written as the switch names them: integers or strings such as "1.1.1".
Result<std::string> switch_port(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = yamlx::string(node, src, path);
  if (!text) return text;
  if (std::ranges::any_of(*text, [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }))
    return error_at(src, node, path, fmt::format("switch port '{}' has white space", *text));
  if (text->starts_with('-')) return error_at(src, node, path, fmt::format("switch port '{}' is negative", *text));
  return text;
}

class Reader {
 public:
  Reader(Source src, std::string base_dir) : src_(std::move(src)), base_dir_(std::move(base_dir)) {}

  Result<Inventory> read(const YAML::Node& root) {
    Inventory inv;
    if (!root.IsDefined() || root.IsNull()) return error_at(src_, root, "", "the file is empty");
    if (auto ok = yamlx::only_keys(root, src_, "", {"version", "name", "hosts", "switches", "lab", "scheduler", "tls"}); !ok)
      return std::unexpected(ok.error());
    if (!root["version"]) return error_at(src_, root, "version", "required (this reader knows version 1)");
    auto version = yamlx::integer(root["version"], src_, "version");
    if (!version) return std::unexpected(version.error());
    if (*version != 1) return error_at(src_, root["version"], "version", fmt::format("version {} is not known (this reader knows 1)", *version));
    inv.version = 1;
    if (root["name"]) {
      auto name = yamlx::scalar(root["name"], src_, "name");
      if (!name) return std::unexpected(name.error());
      inv.name = *name;
    }
    if (root["switches"]) {
      if (auto ok = read_switches(root["switches"], inv); !ok) return std::unexpected(ok.error());
    }
    if (root["tls"]) {  // before the hosts: their agents inherit its CA
      if (auto ok = read_tls(root["tls"], inv); !ok) return std::unexpected(ok.error());
    }
    if (!root["hosts"]) return error_at(src_, root, "hosts", "required: the list of hosts");
    if (auto ok = read_hosts(root["hosts"], inv); !ok) return std::unexpected(ok.error());
    if (root["lab"]) {
      if (auto ok = read_lab(root["lab"], inv); !ok) return std::unexpected(ok.error());
    }
    if (root["scheduler"]) {
      auto scheduler = read_scheduler_config(root["scheduler"], src_, inv);
      if (!scheduler) return std::unexpected(scheduler.error());
      inv.scheduler = std::move(*scheduler);
    }
    return inv;
  }

 private:
  Result<void> read_switches(const YAML::Node& list, Inventory& inv) {
    if (auto ok = yamlx::expect_seq(list, src_, "switches"); !ok) return ok;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto node = list[i];
      const auto path = yamlx::index("switches", i);
      if (auto ok = yamlx::only_keys(node, src_, path, {"name", "kind", "region", "uri", "alt_uris", "ground_truth", "power", "power_ports"}); !ok) return ok;
      Switch sw;
      sw.line = yamlx::line_of(node);
      if (!node["name"]) return error_at(src_, node, join(path, "name"), "required");
      auto name = yamlx::string(node["name"], src_, join(path, "name"));
      if (!name) return std::unexpected(name.error());
      if (!valid_name(*name)) return error_at(src_, node["name"], join(path, "name"), fmt::format("'{}' is not a valid name ([A-Za-z0-9_.-], 1..63)", *name));
      if (const auto* other = inv.find_switch(*name))
        return error_at(src_, node["name"], join(path, "name"), fmt::format("switch '{}' is already defined at line {}", *name, other->line));
      sw.name = *name;
      if (!node["kind"]) return error_at(src_, node, join(path, "kind"), "required: ocs or eps");
      auto kind = yamlx::string(node["kind"], src_, join(path, "kind"));
      if (!kind) return std::unexpected(kind.error());
      if (*kind == "ocs") sw.kind = SwitchKind::ocs;
      else if (*kind == "eps") sw.kind = SwitchKind::eps;
      else return error_at(src_, node["kind"], join(path, "kind"), fmt::format("'{}' is not a switch kind (ocs or eps)", *kind));
      if (node["region"]) {
        if (sw.kind != SwitchKind::ocs) return error_at(src_, node["region"], join(path, "region"), "only an OCS serves a reconfiguration region");
        auto region = yamlx::string(node["region"], src_, join(path, "region"));
        if (!region) return std::unexpected(region.error());
        if (!valid_name(*region)) return error_at(src_, node["region"], join(path, "region"), fmt::format("'{}' is not a valid region name ([A-Za-z0-9_.-], 1..63)", *region));
        sw.region = *region;
      } else if (sw.kind == SwitchKind::ocs) {
        sw.region = sw.name;   // a switch of its own: the region is the switch
      }
      if (sw.kind == SwitchKind::ocs) {
        if (!node["uri"]) return error_at(src_, node, join(path, "uri"), "required for an OCS (see docs/ocs-drivers.md)");
        auto uri = yamlx::string(node["uri"], src_, join(path, "uri"));
        if (!uri) return std::unexpected(uri.error());
        if (uri->find("://") == std::string::npos) return error_at(src_, node["uri"], join(path, "uri"), fmt::format("'{}' is not a switch URI (scheme://user@host:port)", *uri));
        sw.uri = *uri;
        if (node["alt_uris"]) {
          const auto alts = node["alt_uris"];
          const auto alts_path = join(path, "alt_uris");
          if (auto ok = yamlx::expect_seq(alts, src_, alts_path); !ok) return ok;
          for (std::size_t j = 0; j < alts.size(); ++j) {
            auto alt = yamlx::string(alts[j], src_, yamlx::index(alts_path, j));
            if (!alt) return std::unexpected(alt.error());
            if (alt->find("://") == std::string::npos) return error_at(src_, alts[j], yamlx::index(alts_path, j), fmt::format("'{}' is not a switch URI", *alt));
            sw.alt_uris.push_back(*alt);
          }
        }
        if (node["ground_truth"]) {
          const auto gt = node["ground_truth"];
          const auto gt_path = join(path, "ground_truth");
          if (auto ok = yamlx::only_keys(gt, src_, gt_path, {"url", "token_file"}); !ok) return ok;
          GroundTruth truth;
          if (!gt["url"]) return error_at(src_, gt, join(gt_path, "url"), "required");
          auto url = yamlx::string(gt["url"], src_, join(gt_path, "url"));
          if (!url) return std::unexpected(url.error());
          if (!valid_url(*url)) return error_at(src_, gt["url"], join(gt_path, "url"), fmt::format("'{}' is not http(s)://ADDR:PORT", *url));
          truth.url = *url;
          if (gt["token_file"]) {
            auto file = yamlx::string(gt["token_file"], src_, join(gt_path, "token_file"));
            if (!file) return std::unexpected(file.error());
            truth.token_file = resolve_path(base_dir_, *file);
          }
          sw.ground_truth = truth;
        }
        if (auto ok = read_power(node, path, sw); !ok) return ok;
      } else {
        for (const char* key : {"uri", "alt_uris", "ground_truth", "power", "power_ports"}) {
          if (node[key]) return error_at(src_, node[key], join(path, key), "only an OCS has this key (kind is eps)");
        }
      }
      inv.switches.push_back(std::move(sw));
    }
    return {};
  }

  // An OCS's optical power thresholds: `power` for the switch, `power_ports` per switch port
  // (docs/health/power.md).
  Result<void> read_power(const YAML::Node& node, const std::string& path, Switch& sw) {
    if (node["power"]) {
      auto t = read_thresholds(node["power"], join(path, "power"));
      if (!t) return std::unexpected(t.error());
      if (auto ok = check_warning_levels(*t, node["power"], join(path, "power")); !ok) return ok;
      sw.power = *t;
    }
    if (!node["power_ports"]) return {};
    const auto ports = node["power_ports"];
    const auto ports_path = join(path, "power_ports");
    if (auto ok = yamlx::expect_map(ports, src_, ports_path); !ok) return ok;
    for (const auto& entry : ports) {
      auto port = switch_port(entry.first, src_, ports_path);
      if (!port) return std::unexpected(port.error());
      const auto port_path = join(ports_path, *port);
      if (sw.power_ports.contains(*port)) return error_at(src_, entry.first, port_path, fmt::format("switch port {} is given twice", *port));
      auto t = read_thresholds(entry.second, port_path);
      if (!t) return std::unexpected(t.error());
      // The warning rule holds for what the port is judged by: its own keys over the switch's.
      OcsPowerThresholds merged = sw.power.value_or(OcsPowerThresholds{});
      for (auto field : {&OcsPowerThresholds::min_input_dbm, &OcsPowerThresholds::warn_input_dbm, &OcsPowerThresholds::max_loss_db,
                         &OcsPowerThresholds::warn_loss_db, &OcsPowerThresholds::dark_dbm}) {
        if ((*t).*field) merged.*field = (*t).*field;
      }
      if (auto ok = check_warning_levels(merged, entry.second, port_path); !ok) return ok;
      sw.power_ports.emplace(*port, *t);
    }
    return {};
  }

  Result<OcsPowerThresholds> read_thresholds(const YAML::Node& node, const std::string& path) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"min_input_dbm", "warn_input_dbm", "max_loss_db", "warn_loss_db", "dark_dbm"}); !ok)
      return std::unexpected(ok.error());
    OcsPowerThresholds t;
    t.line = yamlx::line_of(node);
    struct Key {
      const char* name;
      std::optional<double> OcsPowerThresholds::*field;
      double lo, hi;
    };
    for (const Key& k : {Key{"min_input_dbm", &OcsPowerThresholds::min_input_dbm, -60.0, 30.0},
                         Key{"warn_input_dbm", &OcsPowerThresholds::warn_input_dbm, -60.0, 30.0},
                         Key{"max_loss_db", &OcsPowerThresholds::max_loss_db, 0.0, 60.0},
                         Key{"warn_loss_db", &OcsPowerThresholds::warn_loss_db, 0.0, 60.0},
                         Key{"dark_dbm", &OcsPowerThresholds::dark_dbm, -80.0, 0.0}}) {
      if (!node[k.name]) continue;
      const auto key_path = join(path, k.name);
      auto v = yamlx::number(node[k.name], src_, key_path);
      if (!v) return std::unexpected(v.error());
      if (!std::isfinite(*v) || *v < k.lo || *v > k.hi) return error_at(src_, node[k.name], key_path, fmt::format("{} is outside {}..{}", *v, k.lo, k.hi));
      t.*k.field = *v;
    }
    return t;
  }

  // A warning level lies between the critical limit and the light it warns about.
  Result<void> check_warning_levels(const OcsPowerThresholds& t, const YAML::Node& node, const std::string& path) {
    if (t.warn_input_dbm && t.min_input_dbm && *t.warn_input_dbm < *t.min_input_dbm)
      return error_at(src_, node, join(path, "warn_input_dbm"),
                      fmt::format("{} is below min_input_dbm {}: a warning must come before the failure", *t.warn_input_dbm, *t.min_input_dbm));
    if (t.warn_loss_db && t.max_loss_db && *t.warn_loss_db > *t.max_loss_db)
      return error_at(src_, node, join(path, "warn_loss_db"),
                      fmt::format("{} is above max_loss_db {}: a warning must come before the failure", *t.warn_loss_db, *t.max_loss_db));
    return {};
  }

  Result<void> read_tls(const YAML::Node& node, Inventory& inv) {
    if (auto ok = yamlx::only_keys(node, src_, "tls", {"agent_ca_file", "client_cert_file", "client_key_file"}); !ok) return ok;
    if (!node["agent_ca_file"]) return error_at(src_, node, "tls.agent_ca_file", "required: the CA bundle (PEM) https:// agents are checked against");
    auto file = yamlx::string(node["agent_ca_file"], src_, "tls.agent_ca_file");
    if (!file) return std::unexpected(file.error());
    inv.tls = TlsDefaults{.agent_ca_file = resolve_path(base_dir_, *file)};
    // A certificate without its key (or a key without its certificate) cannot be presented.
    for (const auto& [key, other] : {std::pair{"client_cert_file", "client_key_file"}, std::pair{"client_key_file", "client_cert_file"}}) {
      if (node[key] && !node[other]) {
        return error_at(src_, node, std::string("tls.") + other, fmt::format("required with tls.{}: a client certificate needs its key and a key its certificate", key));
      }
    }
    if (node["client_cert_file"]) {
      auto cert = yamlx::string(node["client_cert_file"], src_, "tls.client_cert_file");
      if (!cert) return std::unexpected(cert.error());
      auto key = yamlx::string(node["client_key_file"], src_, "tls.client_key_file");
      if (!key) return std::unexpected(key.error());
      inv.tls->client_cert_file = resolve_path(base_dir_, *cert);
      inv.tls->client_key_file = resolve_path(base_dir_, *key);
    }
    return {};
  }

  Result<void> read_hosts(const YAML::Node& list, Inventory& inv) {
    if (auto ok = yamlx::expect_seq(list, src_, "hosts"); !ok) return ok;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto node = list[i];
      const auto path = yamlx::index("hosts", i);
      if (auto ok = yamlx::only_keys(node, src_, path, {"name", "gpus", "agent", "ports"}); !ok) return ok;
      Host host;
      host.line = yamlx::line_of(node);
      if (!node["name"]) return error_at(src_, node, join(path, "name"), "required");
      auto name = yamlx::string(node["name"], src_, join(path, "name"));
      if (!name) return std::unexpected(name.error());
      if (!valid_name(*name)) return error_at(src_, node["name"], join(path, "name"), fmt::format("'{}' is not a valid host name ([A-Za-z0-9_.-], 1..63)", *name));
      if (const auto* other = inv.find_host(*name))
        return error_at(src_, node["name"], join(path, "name"), fmt::format("host '{}' is already defined at line {}", *name, other->line));
      host.name = *name;
      if (node["gpus"]) {
        auto gpus = yamlx::integer(node["gpus"], src_, join(path, "gpus"));
        if (!gpus) return std::unexpected(gpus.error());
        if (*gpus < 0 || *gpus > 1024) return error_at(src_, node["gpus"], join(path, "gpus"), fmt::format("{} is outside 0..1024", *gpus));
        host.gpus = static_cast<int>(*gpus);
      }
      if (!node["agent"]) return error_at(src_, node, join(path, "agent"), "required: {url: http://ADDR:PORT, token_file: FILE}");
      const auto agent = node["agent"];
      const auto agent_path = join(path, "agent");
      if (auto ok = yamlx::only_keys(agent, src_, agent_path, {"url", "token_file", "ca_file"}); !ok) return ok;
      if (!agent["url"]) return error_at(src_, agent, join(agent_path, "url"), "required");
      auto url = yamlx::string(agent["url"], src_, join(agent_path, "url"));
      if (!url) return std::unexpected(url.error());
      if (!valid_url(*url)) return error_at(src_, agent["url"], join(agent_path, "url"), fmt::format("'{}' is not http(s)://ADDR:PORT", *url));
      host.agent.url = *url;
      if (agent["token_file"]) {
        auto file = yamlx::string(agent["token_file"], src_, join(agent_path, "token_file"));
        if (!file) return std::unexpected(file.error());
        host.agent.token_file = resolve_path(base_dir_, *file);
      }
      const bool https = url->rfind("https://", 0) == 0;
      if (agent["ca_file"]) {
        const auto ca_path = join(agent_path, "ca_file");
        auto file = yamlx::string(agent["ca_file"], src_, ca_path);
        if (!file) return std::unexpected(file.error());
        if (!https) return error_at(src_, agent["ca_file"], ca_path, fmt::format("only for an https:// url; this agent's is '{}'", *url));
        host.agent.ca_file = resolve_path(base_dir_, *file);
      } else if (https && inv.tls) {
        host.agent.ca_file = inv.tls->agent_ca_file;
      }
      if (node["ports"]) {
        if (auto ok = read_ports(node["ports"], join(path, "ports"), inv, host); !ok) return ok;
      }
      inv.hosts.push_back(std::move(host));
    }
    return {};
  }

  Result<void> read_ports(const YAML::Node& list, const std::string& list_path, const Inventory& inv, Host& host) {
    if (auto ok = yamlx::expect_seq(list, src_, list_path); !ok) return ok;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto node = list[i];
      const auto path = yamlx::index(list_path, i);
      if (auto ok = yamlx::only_keys(node, src_, path, {"name", "address", "mac", "ocs", "eps", "expect", "rdma"}); !ok) return ok;
      HostPort port;
      port.line = yamlx::line_of(node);
      if (!node["name"]) return error_at(src_, node, join(path, "name"), "required: the netdev name on the host");
      auto name = yamlx::string(node["name"], src_, join(path, "name"));
      if (!name) return std::unexpected(name.error());
      if (!valid_netdev(*name)) return error_at(src_, node["name"], join(path, "name"), fmt::format("'{}' is not a netdev name (1..15 characters, no '/', ':' or spaces)", *name));
      if (const auto* other = host.find_port(*name))
        return error_at(src_, node["name"], join(path, "name"), fmt::format("port '{}' of host {} is already defined at line {}", *name, host.name, other->line));
      port.name = *name;
      if (node["address"]) {
        auto address = yamlx::string(node["address"], src_, join(path, "address"));
        if (!address) return std::unexpected(address.error());
        if (!valid_cidr(*address)) return error_at(src_, node["address"], join(path, "address"), fmt::format("'{}' is not ADDRESS/PREFIX", *address));
        port.address = *address;
      }
      if (node["mac"]) {
        auto mac = yamlx::string(node["mac"], src_, join(path, "mac"));
        if (!mac) return std::unexpected(mac.error());
        auto normal = normalized_mac(*mac);
        if (!normal) return error_at(src_, node["mac"], join(path, "mac"), fmt::format("'{}' is not a MAC address (xx:xx:xx:xx:xx:xx)", *mac));
        port.mac = *normal;
      }
      if (node["ocs"] && node["eps"])
        return error_at(src_, node["eps"], join(path, "eps"), "a port is cabled to an OCS or to an electrical switch, not both");
      if (node["ocs"]) {
        if (auto ok = read_ocs(node["ocs"], join(path, "ocs"), inv, host, port); !ok) return ok;
      }
      if (node["eps"]) {
        if (auto ok = read_eps(node["eps"], join(path, "eps"), inv, host, port); !ok) return ok;
      }
      if (node["expect"]) {
        const auto expect = node["expect"];
        const auto expect_path = join(path, "expect");
        if (auto ok = yamlx::only_keys(expect, src_, expect_path, {"speed_mbps", "mtu"}); !ok) return ok;
        if (expect["speed_mbps"]) {
          auto speed = yamlx::integer(expect["speed_mbps"], src_, join(expect_path, "speed_mbps"));
          if (!speed) return std::unexpected(speed.error());
          if (*speed <= 0 || *speed > 10'000'000) return error_at(src_, expect["speed_mbps"], join(expect_path, "speed_mbps"), fmt::format("{} is outside 1..10000000", *speed));
          port.expect.speed_mbps = *speed;
        }
        if (expect["mtu"]) {
          auto mtu = yamlx::integer(expect["mtu"], src_, join(expect_path, "mtu"));
          if (!mtu) return std::unexpected(mtu.error());
          if (*mtu < 68 || *mtu > 65535) return error_at(src_, expect["mtu"], join(expect_path, "mtu"), fmt::format("{} is outside 68..65535", *mtu));
          port.expect.mtu = static_cast<int>(*mtu);
        }
      }
      if (node["rdma"]) {
        auto rdma = read_rdma_expect(node["rdma"], src_, join(path, "rdma"));
        if (!rdma) return std::unexpected(rdma.error());
        port.rdma = std::move(*rdma);
      }
      host.ports.push_back(std::move(port));
    }
    return {};
  }

  Result<const Switch*> switch_of_kind(const YAML::Node& node, const std::string& path, const Inventory& inv, SwitchKind kind) {
    if (!node["switch"]) return error_at(src_, node, join(path, "switch"), "required: the switch's name");
    auto name = yamlx::string(node["switch"], src_, join(path, "switch"));
    if (!name) return std::unexpected(name.error());
    const auto* sw = inv.find_switch(*name);
    if (sw == nullptr) return error_at(src_, node["switch"], join(path, "switch"), fmt::format("no switch named '{}' under switches:", *name));
    if (sw->kind != kind)
      return error_at(src_, node["switch"], join(path, "switch"), fmt::format("switch '{}' is kind {}, expected {}", *name, to_string(sw->kind), to_string(kind)));
    return sw;
  }

  // Every switch port may carry one fibre: remembers who uses it.
  Result<void> claim(const YAML::Node& node, const std::string& path, const std::string& switch_name,
                     const std::string& switch_port, const std::string& user) {
    auto [it, inserted] = used_.try_emplace(switch_name + "\n" + switch_port, user);
    if (!inserted)
      return error_at(src_, node, path, fmt::format("switch {} port {} is already used by {}", switch_name, switch_port, it->second));
    return {};
  }

  Result<void> read_ocs(const YAML::Node& node, const std::string& path, const Inventory& inv, const Host& host, HostPort& port) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"switch", "tx", "rx", "port"}); !ok) return ok;
    auto sw = switch_of_kind(node, path, inv, SwitchKind::ocs);
    if (!sw) return std::unexpected(sw.error());
    OcsCabling cabling;
    cabling.switch_name = (*sw)->name;
    const bool has_tx = static_cast<bool>(node["tx"]);
    const bool has_rx = static_cast<bool>(node["rx"]);
    const bool has_port = static_cast<bool>(node["port"]);
    const auto user = host.name + ":" + port.name;
    if (has_port && (has_tx || has_rx))
      return error_at(src_, node, path, "give either tx and rx (NxM switch) or port (any-to-any switch or BiDi optics), not both");
    if (has_port) {
      auto p = switch_port(node["port"], src_, join(path, "port"));
      if (!p) return std::unexpected(p.error());
      if (auto ok = claim(node["port"], join(path, "port"), cabling.switch_name, *p, user + " (port)"); !ok) return ok;
      cabling.port = *p;
    } else if (has_tx && has_rx) {
      auto tx = switch_port(node["tx"], src_, join(path, "tx"));
      if (!tx) return std::unexpected(tx.error());
      auto rx = switch_port(node["rx"], src_, join(path, "rx"));
      if (!rx) return std::unexpected(rx.error());
      if (*tx == *rx) return error_at(src_, node["rx"], join(path, "rx"), fmt::format("tx and rx are both port {}", *tx));
      if (auto ok = claim(node["tx"], join(path, "tx"), cabling.switch_name, *tx, user + " (tx)"); !ok) return ok;
      if (auto ok = claim(node["rx"], join(path, "rx"), cabling.switch_name, *rx, user + " (rx)"); !ok) return ok;
      cabling.tx = *tx;
      cabling.rx = *rx;
    } else if (has_tx || has_rx) {
      return error_at(src_, node, join(path, has_tx ? "rx" : "tx"), "an NxM port needs both tx and rx");
    }
    // Neither: the port is on this switch, its switch ports unknown (a partial map, for
    // `mixnet-coord cabling discover`; every command that needs the map names such ports).
    port.ocs = std::move(cabling);
    return {};
  }

  Result<void> read_eps(const YAML::Node& node, const std::string& path, const Inventory& inv, const Host& host, HostPort& port) {
    if (auto ok = yamlx::only_keys(node, src_, path, {"switch", "port"}); !ok) return ok;
    auto sw = switch_of_kind(node, path, inv, SwitchKind::eps);
    if (!sw) return std::unexpected(sw.error());
    EpsCabling cabling;
    cabling.switch_name = (*sw)->name;
    if (node["port"]) {
      auto p = switch_port(node["port"], src_, join(path, "port"));
      if (!p) return std::unexpected(p.error());
      if (auto ok = claim(node["port"], join(path, "port"), cabling.switch_name, *p, host.name + ":" + port.name); !ok) return ok;
      cabling.port = *p;
    }
    port.eps = std::move(cabling);
    return {};
  }

  Result<void> read_lab(const YAML::Node& node, Inventory& inv) {
    if (auto ok = yamlx::only_keys(node, src_, "lab", {"dir", "seed", "profile"}); !ok) return ok;
    LabInfo lab;
    if (node["dir"]) {
      auto dir = yamlx::string(node["dir"], src_, "lab.dir");
      if (!dir) return std::unexpected(dir.error());
      lab.dir = *dir;
    }
    if (node["seed"]) {
      auto seed = yamlx::integer(node["seed"], src_, "lab.seed");
      if (!seed) return std::unexpected(seed.error());
      lab.seed = *seed;
    }
    if (node["profile"]) {
      auto profile = yamlx::string(node["profile"], src_, "lab.profile");
      if (!profile) return std::unexpected(profile.error());
      lab.profile = *profile;
    }
    inv.lab = std::move(lab);
    return {};
  }

  Source src_;
  std::string base_dir_;
  std::map<std::string, std::string> used_;   // "switch\nport" -> "h1:ocs0 (tx)"
};

}  // namespace

Result<PortRef> PortRef::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size() || text.find(':', colon + 1) != std::string_view::npos)
    return fail(Errc::invalid_argument, fmt::format("expected HOST:PORT, got '{}'", text));
  return PortRef{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::string_view to_string(SwitchKind kind) { return kind == SwitchKind::ocs ? "ocs" : "eps"; }

const HostPort* Host::find_port(std::string_view port_name) const {
  for (const auto& port : ports) {
    if (port.name == port_name) return &port;
  }
  return nullptr;
}

const Host* Inventory::find_host(std::string_view host_name) const {
  for (const auto& host : hosts) {
    if (host.name == host_name) return &host;
  }
  return nullptr;
}

std::vector<std::string> Inventory::regions() const {
  std::vector<std::string> out;
  for (const auto& sw : switches) {
    if (sw.kind == SwitchKind::ocs && std::ranges::find(out, sw.region) == out.end()) out.push_back(sw.region);
  }
  return out;
}

bool Inventory::has_region(std::string_view region) const {
  return std::ranges::any_of(switches, [&](const Switch& sw) { return sw.kind == SwitchKind::ocs && sw.region == region; });
}

const Switch* Inventory::find_switch(std::string_view switch_name) const {
  for (const auto& sw : switches) {
    if (sw.name == switch_name) return &sw;
  }
  return nullptr;
}

Result<const HostPort*> Inventory::find_port(const PortRef& ref) const {
  const auto* host = find_host(ref.host);
  if (host == nullptr) return fail(Errc::not_found, fmt::format("{}: no host '{}' in the inventory", ref.str(), ref.host));
  const auto* port = host->find_port(ref.port);
  if (port == nullptr) return fail(Errc::not_found, fmt::format("{}: host {} has no port '{}'", ref.str(), ref.host, ref.port));
  return port;
}

namespace {

// The OCS ports, on `switch_name` when given, that `keep` accepts, in inventory order.
template <class Keep>
std::vector<PortRef> ocs_ports_where(const Inventory& inventory, std::optional<std::string_view> switch_name, Keep keep) {
  std::vector<PortRef> out;
  for (const auto& host : inventory.hosts) {
    for (const auto& port : host.ports) {
      if (!port.ocs || (switch_name && port.ocs->switch_name != *switch_name) || !keep(*port.ocs)) continue;
      out.push_back(PortRef{host.name, port.name});
    }
  }
  return out;
}

}  // namespace

std::vector<PortRef> Inventory::ocs_ports(std::optional<std::string_view> switch_name) const {
  return ocs_ports_where(*this, switch_name, [](const OcsCabling&) { return true; });
}

std::vector<PortRef> Inventory::unmapped_ocs_ports(std::optional<std::string_view> switch_name) const {
  return ocs_ports_where(*this, switch_name, [](const OcsCabling& c) { return !c.mapped(); });
}

Result<Inventory> parse_inventory(std::string_view yaml_text, const std::string& display_name, const std::string& base_dir) {
  const Source src{display_name};
  auto root = yamlx::load(yaml_text, src);
  if (!root) return std::unexpected(root.error());
  Reader reader(src, base_dir);
  return reader.read(*root);
}

Result<Inventory> read_inventory(const std::string& path) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error().context("inventory"));
  // Relative token files are relative to the inventory's own folder, wherever we run from.
  const auto base = std::filesystem::absolute(path).parent_path().lexically_normal().string();
  auto inv = parse_inventory(*text, path, base);
  if (inv) inv->path = path;
  return inv;
}

}  // namespace mixnet::coord
