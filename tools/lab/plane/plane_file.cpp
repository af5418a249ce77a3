#include "tools/lab/plane/plane_file.hpp"

// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/json_keys.hpp"

namespace mixnet::lab {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;
constexpr std::size_t kMaxEnds = 4096;

Result<std::string> name_field(const json& obj, const std::string& key, const std::string& field, bool netdev) {
  if (!obj.contains(key)) return bad_field(field, "missing");
  if (!obj.at(key).is_string()) return bad_field(field, "must be a string");
  std::string s = obj.at(key).get<std::string>();
  if (s.empty()) return bad_field(field, "must not be empty");
  if (netdev && s.size() >= IFNAMSIZ) return bad_field(field, fmt::format("'{}' is longer than {} bytes", s, IFNAMSIZ - 1));
  // Namespaces are files under /run/netns and devs are netdev names: no path tricks, no spaces.
  for (const char c : s) {
    const bool fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || (!netdev && c == ':');
    if (!fine || s == "." || s == "..") return bad_field(field, fmt::format("'{}' has a character that is not allowed", s));
  }
  return s;
}

Result<int> port_field(const json& obj, const std::string& key, const std::string& field, int lo, int hi,
                       const std::string& what) {
  if (!obj.at(key).is_number_integer()) return bad_field(field, "must be an integer port number");
  const auto v = obj.at(key).get<std::int64_t>();
  if (v < lo || v > hi) return bad_field(field, fmt::format("{} is not {} of the switch ({}..{})", v, what, lo, hi));
  return static_cast<int>(v);
}

}  // namespace

Result<PlaneFile> parse_plane_file(std::string_view json_text, const SwitchShape& shape) {
  const json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded()) return fail(Errc::invalid_argument, "the plane file is not valid JSON", "file");
  if (!root.is_object()) return fail(Errc::invalid_argument, "the plane file must be a JSON object", "file");
  // An unknown key reads "<field>: unknown key", as the file's other errors name their field.
  if (auto ok = json_keys::only_keys(root, {"netns", "profile", "seed", "linkwatch_kick", "ends"}); !ok) {
    return bad_field(ok.error().field, "unknown key");
  }

  PlaneFile out;
  auto ns = name_field(root, "netns", "netns", false);
  if (!ns) return std::unexpected(ns.error());
  out.netns = *ns;

  std::string profile = "fast";
  if (root.contains("profile")) {
    if (!root.at("profile").is_string()) return bad_field("profile", "must be a string");
    profile = root.at("profile").get<std::string>();
  }
  auto p = TrainingProfile::parse(profile);
  if (!p) return std::unexpected(p.error());
  out.profile = *p;

  if (root.contains("seed")) {
    if (!root.at("seed").is_number_unsigned() && !(root.at("seed").is_number_integer() && root.at("seed").get<std::int64_t>() >= 0)) {
      return bad_field("seed", "must be a non-negative integer");
    }
    out.seed = root.at("seed").get<std::uint64_t>();
  }

  if (root.contains("linkwatch_kick")) {
    auto kick = name_field(root, "linkwatch_kick", "linkwatch_kick", true);
    if (!kick) return std::unexpected(kick.error());
    out.linkwatch_kick = *kick;
  }

  if (!root.contains("ends")) return bad_field("ends", "missing");
  if (!root.at("ends").is_array()) return bad_field("ends", "must be an array");
  if (root.at("ends").size() > kMaxEnds) return bad_field("ends", fmt::format("more than {} ends", kMaxEnds));

  const bool nxm = shape.mode == ocs_emu::SwitchMode::nxm;
  const int last_port = nxm ? shape.inputs + shape.outputs : shape.inputs;
  std::set<std::string> ids;
  std::set<std::string> devs;
  std::set<std::pair<std::string, std::string>> host_devs;
  std::map<int, std::string> port_owner;   // OCS port -> the end id whose fibre sits there

  for (std::size_t i = 0; i < root.at("ends").size(); ++i) {
    const json& e = root.at("ends")[i];
    const std::string where = fmt::format("ends[{}]", i);
    if (!e.is_object()) return bad_field(where, "must be an object");
    if (auto ok = json_keys::only_keys(e, {"id", "dev", "host_netns", "host_dev", "tx", "rx", "port"}, where); !ok) {
      return bad_field(ok.error().field, "unknown key");
    }
    PlaneEnd end;
    auto id = name_field(e, "id", where + ".id", false);
    if (!id) return std::unexpected(id.error());
    end.id = *id;
    auto dev = name_field(e, "dev", where + ".dev", true);
    if (!dev) return std::unexpected(dev.error());
    end.dev = *dev;
    auto hns = name_field(e, "host_netns", where + ".host_netns", false);
    if (!hns) return std::unexpected(hns.error());
    end.host_netns = *hns;
    auto hdev = name_field(e, "host_dev", where + ".host_dev", true);
    if (!hdev) return std::unexpected(hdev.error());
    end.host_dev = *hdev;

    if (!ids.insert(end.id).second) return bad_field(where + ".id", fmt::format("'{}' appears twice", end.id));
    if (!devs.insert(end.dev).second) return bad_field(where + ".dev", fmt::format("'{}' appears twice", end.dev));
    if (end.dev == out.linkwatch_kick) {
      return bad_field(where + ".dev", fmt::format("'{}' is the linkwatch_kick dev, which no end may be", end.dev));
    }
    if (!host_devs.insert({end.host_netns, end.host_dev}).second) {
      return bad_field(where + ".host_dev", fmt::format("'{}' in '{}' appears twice", end.host_dev, end.host_netns));
    }

    const bool has_port = e.contains("port");
    const bool has_tx = e.contains("tx");
    const bool has_rx = e.contains("rx");
    if (nxm) {
      if (has_port) return bad_field(where + ".port", "an NxM switch needs \"tx\" (an input) and \"rx\" (an output)");
      if (!has_tx) return bad_field(where + ".tx", "missing (the input port the end's TX fibre sits on)");
      if (!has_rx) return bad_field(where + ".rx", "missing (the output port the end's RX fibre sits on)");
      auto tx = port_field(e, "tx", where + ".tx", 1, shape.inputs, "an input");
      if (!tx) return std::unexpected(tx.error());
      auto rx = port_field(e, "rx", where + ".rx", shape.inputs + 1, last_port, "an output");
      if (!rx) return std::unexpected(rx.error());
      end.tx = *tx;
      end.rx = *rx;
    } else {
      if (has_tx || has_rx) {
        return bad_field(where + (has_tx ? ".tx" : ".rx"), "an any-to-any switch takes one \"port\" per end");
      }
      if (!has_port) return bad_field(where + ".port", "missing (the switch port the end's fibre sits on)");
      auto port = port_field(e, "port", where + ".port", 1, last_port, "a port");
      if (!port) return std::unexpected(port.error());
      end.tx = end.rx = *port;
      end.single_port = true;
    }
    for (const auto& [port, key] : {std::pair{end.tx, nxm ? ".tx" : ".port"}, std::pair{end.rx, nxm ? ".rx" : ".port"}}) {
      const auto [it, fresh] = port_owner.emplace(port, end.id);
      if (!fresh && it->second != end.id) {
        return bad_field(where + key, fmt::format("port {} is already taken by '{}'", port, it->second));
      }
    }
    out.ends.push_back(std::move(end));
  }
  return out;
}

Result<PlaneFile> load_plane_file(const std::string& path, const SwitchShape& shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::not_found, fmt::format("cannot open the plane file '{}'", path), "lab-plane");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > kMaxFileBytes) return fail(Errc::invalid_argument, "the plane file is larger than 16 MiB", "lab-plane");
  auto parsed = parse_plane_file(text, shape);
  if (!parsed) return std::unexpected(parsed.error().context(path));
  return parsed;
}

std::unexpected<Error> bad_field(const std::string& field, const std::string& why) {
  return fail(Errc::invalid_argument, fmt::format("{}: {}", field, why), field);
}

}  // namespace mixnet::lab
