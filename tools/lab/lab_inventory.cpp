#include "tools/lab/lab_inventory.hpp"

#include <yaml-cpp/yaml.h>

#include "common/token_file.hpp"
#include "tools/lab/intent_log.hpp"

namespace mixnet::lab {

Result<RunningLab> read_running_lab(const std::string& dir) {
  RunningLab lab;
  lab.dir = dir;
  const std::string path = dir + "/inventory.yaml";
  try {
    const YAML::Node root = YAML::LoadFile(path);
    for (const auto& h : root["hosts"]) {
      RunningHost host;
      host.name = h["name"].as<std::string>();
      host.agent_url = h["agent"]["url"].as<std::string>();
      for (const auto& p : h["ports"]) {
        RunningPort port;
        port.name = p["name"].as<std::string>();
        if (p["ocs"]) {
          port.ocs = true;
          const auto& o = p["ocs"];
          port.switch_name = o["switch"].as<std::string>();
          if (o["port"]) port.port = o["port"].as<int>();
          if (o["tx"]) port.tx = o["tx"].as<int>();
          if (o["rx"]) port.rx = o["rx"].as<int>();
          port.cabling = port.switch_name + (o["port"] ? " port " + o["port"].as<std::string>()
                                                       : " tx " + o["tx"].as<std::string>() + " rx " + o["rx"].as<std::string>());
        } else if (p["eps"]) {
          port.cabling = "eps " + p["eps"]["port"].as<std::string>();
        }
        if (p["expect"] && p["expect"]["speed_mbps"]) port.speed_mbps = p["expect"]["speed_mbps"].as<int>();
        host.ports.push_back(std::move(port));
      }
      lab.hosts.push_back(std::move(host));
    }
    for (const auto& s : root["switches"]) {
      if (s["ground_truth"]) {
        lab.switches.push_back({s["name"].as<std::string>(), s["ground_truth"]["url"].as<std::string>()});
      }
    }
    if (const auto tls = root["tls"]) {
      if (tls["agent_ca_file"]) lab.tls.ca_file = tls["agent_ca_file"].as<std::string>();
      if (tls["client_cert_file"]) lab.tls.cert_file = tls["client_cert_file"].as<std::string>();
      if (tls["client_key_file"]) lab.tls.key_file = tls["client_key_file"].as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return fail(Errc::not_found, "cannot read the lab's inventory " + path + ": " + e.what());
  }
  auto token = read_token_file(dir + "/token", "token");
  if (!token) return std::unexpected(token.error().context("cannot read the lab's token"));
  lab.token = std::move(token->token);
  if (auto state = read_state(dir)) {
    lab.plain_http = state->plain_http;
    lab.name = state->name;
  }
  return lab;
}

const RunningSwitch* find_switch(const RunningLab& lab, const std::string& name) {
  for (const auto& s : lab.switches) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace mixnet::lab
