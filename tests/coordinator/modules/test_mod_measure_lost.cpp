// measure.reconfig end to end (the module, its OCS driver and agent client) with one port that
// really loses a moment: the OCS emulator in process is the switch, fake agents on 127.0.0.1 are
// the hosts, and a test plane between them turns the emulator's light into carrier events in the
// fake agents' journals and carries identity probes along the switch's connections. The plane
// leaves one event of one port unjournaled (an agent that missed it). Proves that exactly that
// port's item of that repetition fails, naming the lost moment, that every other item passes and
// that the step fails, all without ground truth (the inventory names none, as on real hardware).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "tests/support/scratch_dir.hpp"
#include "common/clock.hpp"
#include "coordinator/modules/measure_reconfig.hpp"
#include "coordinator/modules/ocs_apply.hpp"
#include "tests/coordinator/support/fake_agent.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tools/ocs-emu/emulator.hpp"
#include "tools/ocs-emu/physical_plane.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

// One NIC port of a host: its agent, and the switch ports its TX and RX fibres land on.
struct Nic {
  FakeAgent* agent = nullptr;
  std::string host;
  std::string port;
  int tx = 0;   // an input of the NxM switch
  int rx = 0;   // an output
  [[nodiscard]] std::string name() const { return host + ":" + port; }
};

// The fibres between the emulator and the fake agents. Light reaching an output is a link_up in
// the journal of the NIC whose RX is cabled there, light leaving it a link_down (the emulator
// calls a plane break before the next make of a port, so the order is physical). A probe sent
// from a NIC is heard by whatever NIC its TX's light reaches now. `lose_next` makes the next
// event of one kind on one port go unjournaled: for link_down the agent simply never saw the
// loss; for link_up the port's carrier comes back without a journal entry (the inventory shows
// it up, so the link still verifies: only the moment is lost).
class FakeWire final : public ocs_emu::PhysicalPlane {
 public:
  explicit FakeWire(std::vector<Nic> nics) : nics_(std::move(nics)) {}

  [[nodiscard]] std::string name() const override { return "fake-wire"; }

  Result<std::vector<ocs_emu::PortLight>> circuit_made(const ocs_emu::CircuitChange& c) override {
    {
      std::lock_guard lock(mutex_);
      lit_[c.from] = c.to;
    }
    carrier(c.to, true);
    return std::vector<ocs_emu::PortLight>{{c.to, realtime_ns()}};
  }

  Result<std::vector<ocs_emu::PortLight>> circuit_broken(const ocs_emu::CircuitChange& c) override {
    {
      std::lock_guard lock(mutex_);
      lit_.erase(c.from);
    }
    carrier(c.to, false);
    return std::vector<ocs_emu::PortLight>{{c.to, realtime_ns()}};
  }

  void lose_next(const std::string& nic, const std::string& kind) {
    std::lock_guard lock(mutex_);
    to_lose_.insert({nic, kind});
  }
  // The events actually left out so far ("h3:ocs0 link_down"): the scenario happened.
  [[nodiscard]] std::vector<std::string> lost() const {
    std::lock_guard lock(mutex_);
    return lost_;
  }

  // Hooks every NIC's agent up to send its probes along the switch.
  void wire_probes() {
    for (const Nic& n : nics_) {
      n.agent->on_probe([this, from = n](const std::string& port, std::uint64_t nonce) {
        if (port == from.port) deliver(from, nonce);
      });
    }
  }

 private:
  void carrier(int output, bool up) {
    const Nic* nic = by_rx(output);
    if (nic == nullptr) return;
    const std::string kind = up ? "link_up" : "link_down";
    bool lose = false;
    {
      std::lock_guard lock(mutex_);
      lose = to_lose_.erase({nic->name(), kind}) > 0;
      if (lose) lost_.push_back(nic->name() + " " + kind);
    }
    if (!lose) {
      nic->agent->push_event(kind, nic->port, up);
    } else if (up) {
      nic->agent->set_ports({fake_port_info(nic->port, true)});   // one port per host in these tests
    }
  }

  void deliver(const Nic& from, std::uint64_t nonce) {
    const Nic* to = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (auto it = lit_.find(from.tx); it != lit_.end()) to = by_rx(it->second);
    }
    if (to == nullptr) return;   // dark: the probe goes nowhere
    const std::int64_t now = realtime_ns();
    to->agent->hear(to->port, wire::Neighbor{.host_id = from.host, .port = from.port, .last_nonce = nonce,
                                             .last_send_time_ns = now, .last_receive_time_ns = now});
  }

  const Nic* by_rx(int output) const {
    for (const auto& n : nics_) {
      if (n.rx == output) return &n;
    }
    return nullptr;
  }

  const std::vector<Nic> nics_;
  mutable std::mutex mutex_;
  std::map<int, int> lit_;                                  // input -> output its light reaches
  std::set<std::pair<std::string, std::string>> to_lose_;   // (nic, event kind)
  std::vector<std::string> lost_;
};

// Six hosts, one OCS port each (TX on input i, RX on output 16+i of a 16x16 switch), their fake
// agents, the emulator with the fake wire, and a step harness over an inventory without ground
// truth. A -> B re-patches h3..h6 and keeps h1 - h2; A -> C also leaves h4 and h6 unconnected.
struct LostMomentBench {
  static constexpr int kHosts = 6;
  mixnet::testing::ScratchDir dir{"mixnet-measure-lost"};
  std::shared_ptr<FakeWire> wire;                  // outlives the agents whose probe hooks use it
  std::vector<std::unique_ptr<FakeAgent>> agents;
  std::unique_ptr<ocs_emu::Emulator> emu;
  std::unique_ptr<StepHarness> harness;

  LostMomentBench() {
    std::vector<Nic> nics;
    for (int i = 1; i <= kHosts; ++i) {
      const std::string host = "h" + std::to_string(i);
      agents.push_back(std::make_unique<FakeAgent>(host, "tok-" + host));
      agents.back()->set_ports({fake_port_info("ocs0", false)});
      nics.push_back({.agent = agents.back().get(), .host = host, .port = "ocs0", .tx = i, .rx = 16 + i});
    }
    wire = std::make_shared<FakeWire>(nics);
    wire->wire_probes();
    ocs_emu::EmulatorOptions o;
    o.switching = ocs_emu::SwitchingTime::fixed_ms(1);
    o.plane = wire;
    emu = std::make_unique<ocs_emu::Emulator>(o);
    REQUIRE(emu->start());

    std::string y = "version: 1\nname: lost-moment\nhosts:\n";
    for (int i = 1; i <= kHosts; ++i) {
      const std::string host = "h" + std::to_string(i);
      const std::string token = dir.path + "/" + host + ".token";
      std::ofstream(token) << "tok-" << host << "\n";
      REQUIRE(::chmod(token.c_str(), 0600) == 0);
      y += "  - name: " + host + "\n    agent: {url: \"" + agents[i - 1]->url() + "\", token_file: " + host + ".token}\n";
      y += "    ports:\n      - name: ocs0\n        ocs: {switch: ocs1, tx: " + std::to_string(i) + ", rx: " + std::to_string(16 + i) + "}\n";
    }
    y += "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu->tl1_port()) + "\"\n";
    const char* topologies = R"(topologies:
  - name: A
    circuits: ["h1:ocs0 - h2:ocs0", "h3:ocs0 - h4:ocs0", "h5:ocs0 - h6:ocs0"]
  - name: B
    circuits: ["h1:ocs0 - h2:ocs0", "h3:ocs0 - h5:ocs0", "h4:ocs0 - h6:ocs0"]
  - name: C
    circuits: ["h1:ocs0 - h2:ocs0", "h3:ocs0 - h5:ocs0"]
)";
    harness = std::make_unique<StepHarness>(y, topologies, dir.path, dir.path + "/leases");
  }

  ~LostMomentBench() {
    harness.reset();   // the lease first, then the switch, then the agents it drove
    emu.reset();
  }

  // Topology A in place, every port lit and journaled (ocs.apply, which also tells the measure
  // step where it starts from).
  void apply_a() {
    OcsApplyModule apply;
    const auto applied = harness->run(apply, {{"topology", "A"}});
    INFO(applied.message);
    REQUIRE(applied.ok);
    harness->sink.clear();
  }

  // measure.reconfig: A -> `to`, then `to` -> A.
  StepResult measure(const std::string& to = "B") {
    MeasureReconfigModule module;
    return harness->run(module, {{"topologies", {"A", to}}, {"repetitions", 2}, {"deadline", 5}, {"settle", 0.05}, {"clock_samples", 4}});
  }
};

// Every item of the two repetitions (h3..h6 change in each, to B or C and back), by id.
std::map<std::string, ItemResult> items_by_id(const StepHarness& h) {
  std::map<std::string, ItemResult> out;
  for (const auto& it : h.sink.items()) out[it.id] = it;
  return out;
}

// Everything but `failed_id` passed; returns the failed one.
ItemResult only_failure(const std::map<std::string, ItemResult>& items, const std::string& failed_id) {
  std::set<std::string> expected;
  for (int rep : {1, 2}) {
    for (const char* p : {"h3:ocs0", "h4:ocs0", "h5:ocs0", "h6:ocs0"}) expected.insert(std::string(p) + " #" + std::to_string(rep));
  }
  std::set<std::string> got;
  for (const auto& [id, it] : items) got.insert(id);
  CHECK(got == expected);
  for (const auto& [id, it] : items) {
    if (id == failed_id) continue;
    INFO(id << ": " << it.message);
    CHECK(it.status == item_status::ok);
  }
  REQUIRE(items.contains(failed_id));
  return items.at(failed_id);
}

}  // namespace

TEST_CASE("measure.reconfig fails exactly the port whose link_down was never journaled, without ground truth",
          "[unit][measure][lost]") {
  LostMomentBench bench;
  bench.apply_a();
  bench.wire->lose_next("h3:ocs0", "link_down");   // in repetition 1 (A -> B)
  const auto r = bench.measure();
  INFO(r.message);
  // The scenario happened: the one event was left out, nothing else.
  CHECK(bench.wire->lost() == std::vector<std::string>{"h3:ocs0 link_down"});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("1 port measurement(s) failed") != std::string::npos);
  // No ground truth was read or judged: the verdict comes from the lost moment alone.
  CHECK(r.data.at("ground_truth").is_null());
  CHECK(r.message.find("ground truth") == std::string::npos);

  const auto failed = only_failure(items_by_id(*bench.harness), "h3:ocs0 #1");
  INFO(failed.message);
  CHECK(failed.status == item_status::failed);
  CHECK(failed.message.find("identity confirmed, but lost carrier_lost (no carrier-lost (link_down) event") != std::string::npos);
  // Only that moment: the link still came up and was identified, and both are in the row.
  CHECK(failed.data.at("moments").at("carrier_lost").contains("missing"));
  CHECK(failed.data.at("moments").at("link_up").contains("ns"));
  CHECK(failed.data.at("moments").at("identity_confirmed").contains("ns"));
}

TEST_CASE("measure.reconfig fails exactly the port whose link_up was never journaled, without ground truth",
          "[unit][measure][lost]") {
  LostMomentBench bench;
  bench.apply_a();
  bench.wire->lose_next("h6:ocs0", "link_up");   // in repetition 1 (A -> B)
  const auto r = bench.measure();
  INFO(r.message);
  CHECK(bench.wire->lost() == std::vector<std::string>{"h6:ocs0 link_up"});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("1 port measurement(s) failed") != std::string::npos);
  CHECK(r.data.at("ground_truth").is_null());
  CHECK(r.message.find("ground truth") == std::string::npos);

  // The carrier came back (the inventory says so), so the link verified; the moment is lost.
  const auto failed = only_failure(items_by_id(*bench.harness), "h6:ocs0 #1");
  INFO(failed.message);
  CHECK(failed.status == item_status::failed);
  CHECK(failed.message.find("identity confirmed, but lost link_up (no link_up event after the last carrier loss") != std::string::npos);
  CHECK(failed.data.at("moments").at("carrier_lost").contains("ns"));
  CHECK(failed.data.at("moments").at("link_up").contains("missing"));
  CHECK(failed.data.at("moments").at("identity_confirmed").contains("ns"));
}

TEST_CASE("measure.reconfig fails a port left unconnected whose link_down was never journaled, without ground truth",
          "[unit][measure][lost]") {
  LostMomentBench bench;
  bench.apply_a();
  bench.wire->lose_next("h4:ocs0", "link_down");   // A -> C darkens h4: its only moment is lost
  const auto r = bench.measure("C");
  INFO(r.message);
  CHECK(bench.wire->lost() == std::vector<std::string>{"h4:ocs0 link_down"});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("1 port measurement(s) failed") != std::string::npos);
  CHECK(r.data.at("ground_truth").is_null());
  CHECK(r.message.find("ground truth") == std::string::npos);

  // h6, darkened alike but journaled, passes beside it.
  const auto items = items_by_id(*bench.harness);
  const auto failed = only_failure(items, "h4:ocs0 #1");
  INFO(failed.message);
  CHECK(failed.status == item_status::failed);
  CHECK(failed.message == "left unconnected by C, but lost carrier_lost (no carrier-lost (link_down) event after the command in this "
                          "repetition)");
  CHECK(items.at("h6:ocs0 #1").message == "left unconnected by C");
}
