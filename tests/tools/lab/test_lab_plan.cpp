// The lab's plan as data (no kernel, no processes): regions and their switches, presets, the
// config file's precedence, the names the kernel must accept, and validation naming the field.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "tools/lab/lab_config.hpp"
#include "tools/lab/lab_files.hpp"
#include "tools/lab/lab_plan.hpp"
#include "tools/lab/lab_presets.hpp"

using namespace mixnet::lab;

namespace {

constexpr int kPlanTestOctet = 77;

LabConfig preset_config(const std::string& preset) {
  LabConfig c;
  REQUIRE(apply_preset(preset, c));
  return c;
}

// Everything a plan makes others read: the inventory (with made-up emulator ports) and every
// region's plane file. Two plans that render the same are the same lab.
std::string rendered(const LabPlan& plan) {
  std::vector<EmulatorPorts> ports;
  for (std::size_t r = 0; r < plan.regions.size(); ++r) {
    const auto base = static_cast<unsigned short>(20000 + 10 * r);
    ports.push_back({base, static_cast<unsigned short>(base + 1), 0, static_cast<unsigned short>(base + 2)});
  }
  std::string out = render_inventory(plan, ports);
  for (std::size_t r = 0; r < plan.regions.size(); ++r) out += render_plane_file(plan, r);
  return out;
}

std::string validation_field(const LabConfig& c) {
  auto v = validate(c);
  return v ? std::string("(valid)") : v.error().field;
}

}  // namespace

TEST_CASE("lab plan: without regions, one switch exactly as before regions", "[lab][plan]") {
  const LabConfig c;   // the prototype: 4 hosts, 3 OCS ports each
  REQUIRE(validate(c));
  const LabPlan plan = make_plan(c, kPlanTestOctet);
  REQUIRE(plan.regions.size() == 1);
  const PlanRegion& r = plan.regions.front();
  CHECK(r.switch_name == "ocs1");
  CHECK(r.netns == "mxl-lab-ocs");
  CHECK(r.plane_file == "plane.json");
  CHECK(r.log_file == "logs/ocs-emu.log");
  CHECK(r.serial == "mxl-lab-ocs");
  CHECK(r.seed == c.seed);
  CHECK(r.size.text() == "16x16");
  CHECK(r.hosts == std::vector<std::size_t>{0, 1, 2, 3});
  // The cabling is the one draw over every OCS port, as before regions.
  const auto fibres = draw_cabling(r.size, 12, c.seed);
  std::size_t k = 0;
  for (const auto& h : plan.hosts) {
    CHECK(h.region == 0);
    for (const auto& p : h.ports) {
      if (!p.ocs) continue;
      CHECK(p.tx == fibres[k].tx);
      CHECK(p.rx == fibres[k].rx);
      ++k;
    }
  }
  // hosts-per-region equal to the hosts is the same lab as 0.
  LabConfig same = c;
  same.hosts_per_region = 4;
  CHECK(rendered(make_plan(same, kPlanTestOctet)) == rendered(plan));
}

TEST_CASE("lab plan: each region's hosts are cabled to its own switch only", "[lab][plan]") {
  LabConfig c;
  c.name = "rg";
  c.hosts = 4;
  c.hosts_per_region = 2;
  REQUIRE(validate(c));
  const LabPlan plan = make_plan(c, kPlanTestOctet);
  REQUIRE(plan.regions.size() == 2);
  CHECK(plan.regions[0].switch_name == "ocs1");
  CHECK(plan.regions[1].switch_name == "ocs2");
  CHECK(plan.regions[0].netns == "mxl-rg-ocs1");
  CHECK(plan.regions[1].netns == "mxl-rg-ocs2");
  CHECK(plan.regions[1].plane_file == "plane-ocs2.json");
  CHECK(plan.regions[1].log_file == "logs/ocs-emu-ocs2.log");
  CHECK(plan.regions[0].seed != plan.regions[1].seed);
  CHECK(plan.regions[0].hosts == std::vector<std::size_t>{0, 1});
  CHECK(plan.regions[1].hosts == std::vector<std::size_t>{2, 3});
  for (const auto& region : plan.regions) {
    CHECK(region.size.text() == "16x16");   // 6 ports: the smallest switch
    std::set<int> used;
    for (const std::size_t i : region.hosts) {
      CHECK(plan.hosts[i].region == static_cast<std::size_t>(&region - plan.regions.data()));
      for (const auto& p : plan.hosts[i].ports) {
        if (!p.ocs) continue;
        CHECK(used.insert(p.tx).second);
        CHECK(used.insert(p.rx).second);
        CHECK(p.tx >= 1);
        CHECK(p.tx <= 16);
        CHECK(p.rx >= 17);
        CHECK(p.rx <= 32);
      }
    }
  }
  // The inventory names each port's own region's switch, and lists both switches.
  const std::string inventory = rendered(plan);
  CHECK(inventory.find("switch: ocs1") != std::string::npos);
  CHECK(inventory.find("switch: ocs2") != std::string::npos);
  CHECK(inventory.find("- name: ocs2\n    kind: ocs\n    region: r2\n") != std::string::npos);
  // Each plane file holds its region's ends and names its region's namespace.
  const std::string plane2 = render_plane_file(plan, 1);
  CHECK(plane2.find("\"mxl-rg-ocs2\"") != std::string::npos);
  CHECK(plane2.find("h3:ocs0") != std::string::npos);
  CHECK(plane2.find("h1:ocs0") == std::string::npos);
  // Reproducible: the same config gives the same lab.
  CHECK(rendered(make_plan(c, kPlanTestOctet)) == inventory);
}

TEST_CASE("lab plan: a last region with fewer hosts gets a switch of its own size", "[lab][plan]") {
  LabConfig c;
  c.hosts = 10;
  c.ocs_ports = 6;
  c.hosts_per_region = 4;
  REQUIRE(validate(c));
  CHECK(region_count(c) == 3);
  const LabPlan plan = make_plan(c, kPlanTestOctet);
  REQUIRE(plan.regions.size() == 3);
  CHECK(plan.regions[0].size.text() == "24x24");
  CHECK(plan.regions[1].size.text() == "24x24");
  CHECK(plan.regions[2].size.text() == "16x16");   // 2 hosts, 12 ports
  CHECK(plan.regions[2].hosts == std::vector<std::size_t>{8, 9});
  // A configured size applies to every region.
  c.switch_size = SwitchSize{32, 0, true};
  const LabPlan cc = make_plan(c, kPlanTestOctet);
  for (const auto& r : cc.regions) CHECK(r.size.text() == "32xCC");
}

TEST_CASE("lab plan: presets", "[lab][plan]") {
  CHECK(preset_names() == "prototype, mixnet-256, mixnet-1024");
  // prototype is the default lab.
  CHECK(rendered(make_plan(preset_config("prototype"), kPlanTestOctet)) == rendered(make_plan(LabConfig{}, kPlanTestOctet)));

  const LabConfig m256 = preset_config("mixnet-256");
  REQUIRE(validate(m256));
  const LabPlan p256 = make_plan(m256, kPlanTestOctet);
  CHECK(p256.hosts.size() == 32);
  CHECK(p256.regions.size() == 4);
  CHECK(m256.gpus == 8);

  const LabConfig m1024 = preset_config("mixnet-1024");
  REQUIRE(validate(m1024));
  const LabPlan p1024 = make_plan(m1024, kPlanTestOctet);
  CHECK(p1024.hosts.size() == 128);
  REQUIRE(p1024.regions.size() == 16);
  CHECK(p1024.regions.back().switch_name == "ocs16");
  int ocs = 0, eps = 0;
  for (const auto& r : p1024.regions) {
    CHECK(r.size.text() == "48x48");   // 8 hosts x 6 ports per region
    CHECK(r.hosts.size() == 8);
  }
  for (const auto& h : p1024.hosts) {
    for (const auto& p : h.ports) (p.ocs ? ocs : eps) += 1;
  }
  CHECK(ocs == 768);
  CHECK(eps == 256);

  LabConfig unknown;
  auto bad = apply_preset("mixnet-4096", unknown);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "preset");
  CHECK(bad.error().message.find("mixnet-1024") != std::string::npos);   // lists the known ones
}

TEST_CASE("lab plan: every kernel name of the largest lab fits IFNAMSIZ", "[lab][plan]") {
  LabConfig c = preset_config("mixnet-1024");
  c.name = std::string(kMaxNameLength, 'z');   // the longest lab name
  c.ocs_ports = kMaxOcsPortsPerHost;
  c.eps_ports = kMaxEpsPortsPerHost;
  c.hosts = kMaxHosts;
  c.hosts_per_region = 8;
  c.switch_size = SwitchSize{576, 576, false};
  REQUIRE(validate(c));
  const LabPlan plan = make_plan(c, kPlanTestOctet);
  constexpr std::size_t kIfNameMax = 15;   // IFNAMSIZ - 1
  CHECK(plan.root_link.size() <= kIfNameMax);
  for (const auto& h : plan.hosts) {
    CHECK(h.mgmt_peer.size() <= kIfNameMax);
    for (const auto& p : h.ports) {
      INFO(h.name << " " << p.dev << " " << p.peer_dev);
      CHECK(p.dev.size() <= kIfNameMax);
      CHECK(p.peer_dev.size() <= kIfNameMax);
    }
  }
  CHECK(plan.hosts.back().mgmt_address == "198.19.77.209");   // the last management address
}

TEST_CASE("lab config: hosts-per-region and per-region switch sizes are validated, naming the field", "[lab][plan]") {
  LabConfig c;
  c.hosts_per_region = -1;
  CHECK(validation_field(c) == "hosts-per-region");
  c.hosts_per_region = 5;   // more than the 4 hosts
  CHECK(validation_field(c) == "hosts-per-region");
  c.hosts_per_region = 4;
  CHECK(validation_field(c) == "(valid)");
  // The switch must fit one region (4 hosts x 6 ports = 24), not the whole lab (48).
  c.hosts = 8;
  c.ocs_ports = 6;
  c.switch_size = SwitchSize{24, 24, false};
  CHECK(validation_field(c) == "(valid)");
  c.switch_size = SwitchSize{16, 16, false};
  CHECK(validation_field(c) == "switch-size");
  c.hosts_per_region = 0;
  c.switch_size = SwitchSize{24, 24, false};
  CHECK(validation_field(c) == "switch-size");
}

TEST_CASE("lab config file: its preset first, its keys over it, --preset over its preset", "[lab][plan]") {
  const std::string path = "/tmp/mxt-lab-plan-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path);
    out << "hosts: 16\npreset: mixnet-256\ngpus: 4\n";   // the preset's place in the file does not matter
  }
  LabConfig c;
  REQUIRE(load_config_file(path, c));
  CHECK(c.hosts == 16);             // the file's key
  CHECK(c.gpus == 4);
  CHECK(c.ocs_ports == 6);          // the preset's
  CHECK(c.hosts_per_region == 8);

  LabConfig overridden;
  REQUIRE(load_config_file(path, overridden, std::string("prototype")));
  CHECK(overridden.hosts == 16);
  CHECK(overridden.ocs_ports == 3);   // --preset's, not the file's
  CHECK(overridden.hosts_per_region == 0);

  {
    std::ofstream out(path);
    out << "preset: mixnet-9\n";
  }
  LabConfig bad;
  auto r = load_config_file(path, bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "preset");
  {
    std::ofstream out(path);
    out << "hosts_per_region: many\n";
  }
  r = load_config_file(path, bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "hosts_per_region");
  std::remove(path.c_str());
}

TEST_CASE("lab config: the example config files build the same lab as their presets", "[lab][plan]") {
  for (const char* preset : {"mixnet-256", "mixnet-1024"}) {
    INFO(preset);
    LabConfig from_file;
    const std::string path = std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/lab-" + preset + ".yaml";
    REQUIRE(load_config_file(path, from_file));
    REQUIRE(validate(from_file));
    CHECK(rendered(make_plan(from_file, kPlanTestOctet)) == rendered(make_plan(preset_config(preset), kPlanTestOctet)));
  }
}

TEST_CASE("lab plan: the plane files name the linkwatch pump's spare dev unless the pump is switched off", "[lab][plan]") {
  LabConfig c;
  REQUIRE(validate(c));
  CHECK(render_plane_file(make_plan(c, kPlanTestOctet), 0).find("\"linkwatch_kick\": \"lwkick\"") != std::string::npos);
  c.linkwatch_pump = false;
  CHECK(render_plane_file(make_plan(c, kPlanTestOctet), 0).find("linkwatch_kick") == std::string::npos);

  const std::string path = "/tmp/mxt-lab-pump-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path);
    out << "linkwatch_pump: false\n";
  }
  LabConfig from_file;
  REQUIRE(load_config_file(path, from_file));
  CHECK_FALSE(from_file.linkwatch_pump);
  {
    std::ofstream out(path);
    out << "linkwatch_pump: sometimes\n";
  }
  auto r = load_config_file(path, from_file);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "linkwatch_pump");
  std::remove(path.c_str());
}

TEST_CASE("lab inventory: shape's line rate on every data port's expect.speed_mbps, and off again", "[lab][plan]") {
  LabConfig c;
  c.eps_ports = 2;
  REQUIRE(validate(c));
  const LabPlan plan = make_plan(c, kPlanTestOctet);
  const std::string plain = render_inventory(plan, {{20000, 20001, 0, 20002}});
  auto speeds = [](const std::string& text) {
    std::vector<std::string> out;
    const YAML::Node root = YAML::Load(text);
    for (const auto& h : root["hosts"]) {
      for (const auto& p : h["ports"]) {
        out.push_back(p["expect"] ? p["expect"]["speed_mbps"].as<std::string>() + "/" + std::to_string(p["expect"].size())
                                  : "none");
      }
    }
    return out;
  };
  const std::size_t ports = static_cast<std::size_t>(c.hosts * (c.ocs_ports + c.eps_ports));
  CHECK(speeds(plain) == std::vector<std::string>(ports, "none"));
  const std::string at50 = with_line_rate(plain, 50);
  CHECK(speeds(at50) == std::vector<std::string>(ports, "50/1"));
  // A new rate replaces the old one (never two expect keys); off gives back the text up wrote.
  CHECK(speeds(with_line_rate(at50, 200)) == std::vector<std::string>(ports, "200/1"));
  CHECK(with_line_rate(with_line_rate(at50, 200), std::nullopt) == plain);
  CHECK(with_line_rate(plain, std::nullopt) == plain);
}

TEST_CASE("lab config: --line-rate-mbit is 1..10000 and named when wrong", "[lab][plan]") {
  LabConfig c;
  for (const int bad : {0, -5, kMaxLineRateMbit + 1}) {
    c.line_rate_mbit = bad;
    CHECK(validation_field(c) == "line-rate-mbit");
  }
  for (const int good : {1, 50, kMaxLineRateMbit}) {
    c.line_rate_mbit = good;
    CHECK(validation_field(c) == "(valid)");
  }
}
