// scan_rdma_sysfs on fixture trees shaped like /sys/class/infiniband on a ConnectX (mlx5) host.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hwdrivers/nic/rdma_inventory.hpp"

using namespace mixnet;
using namespace mixnet::nic;
namespace fs = std::filesystem;

namespace {

constexpr const char* kZeroGid = "0000:0000:0000:0000:0000:0000:0000:0000";

// A temporary sysfs-like tree, removed when the test ends.
class FixtureTree {
 public:
  FixtureTree() {
    std::string templ = (fs::temp_directory_path() / "mxt-rdma-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = templ;
  }
  ~FixtureTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  FixtureTree(const FixtureTree&) = delete;
  FixtureTree& operator=(const FixtureTree&) = delete;

  [[nodiscard]] const fs::path& root() const { return root_; }

  void write(const fs::path& relative, const std::string& content) const {
    const fs::path p = root_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content << '\n';  // sysfs attributes end in a newline
  }
  // A directory where a file is expected: reading it fails (EISDIR), as an empty gid_attrs entry
  // fails with EINVAL on a real kernel.
  void unreadable(const fs::path& relative) const { fs::create_directories(root_ / relative); }

  // One port the way mlx5 lays it out.
  void port(const std::string& dev, int n, const std::string& state, const std::string& phys,
            const std::string& rate = "100 Gb/sec (4X EDR)", const std::string& layer = "Ethernet") const {
    const fs::path p = fs::path(dev) / "ports" / std::to_string(n);
    write(p / "state", state);
    write(p / "phys_state", phys);
    write(p / "rate", rate);
    write(p / "link_layer", layer);
    write(p / "counters" / "link_downed", "0");
  }
  void gid(const std::string& dev, int n, int index, const std::string& gid, const std::string& type,
           const std::string& ndev) const {
    const fs::path p = fs::path(dev) / "ports" / std::to_string(n);
    write(p / "gids" / std::to_string(index), gid);
    write(p / "gid_attrs" / "types" / std::to_string(index), type);
    write(p / "gid_attrs" / "ndevs" / std::to_string(index), ndev);
  }
  void empty_gid(const std::string& dev, int n, int index) const {
    const fs::path p = fs::path(dev) / "ports" / std::to_string(n);
    write(p / "gids" / std::to_string(index), kZeroGid);
    unreadable(p / "gid_attrs" / "types" / std::to_string(index));
    unreadable(p / "gid_attrs" / "ndevs" / std::to_string(index));
  }

 private:
  fs::path root_;
};

// mlx5_0 port 1: RoCE on eth2 with the usual four GIDs (link-local and IPv4-mapped, each as
// RoCE v1 and v2), then empty slots; mlx5_1 port 1: a dark port on eth3.
void build_connectx(const FixtureTree& t) {
  t.port("mlx5_0", 1, "4: ACTIVE", "5: LinkUp");
  t.gid("mlx5_0", 1, 0, "fe80:0000:0000:0000:0202:c9ff:fe00:0001", "IB/RoCE v1", "eth2");
  t.gid("mlx5_0", 1, 1, "fe80:0000:0000:0000:0202:c9ff:fe00:0001", "RoCE v2", "eth2");
  t.gid("mlx5_0", 1, 2, "0000:0000:0000:0000:0000:ffff:c612:0001", "IB/RoCE v1", "eth2");
  t.gid("mlx5_0", 1, 3, "0000:0000:0000:0000:0000:ffff:c612:0001", "RoCE v2", "eth2");
  for (int i = 4; i < 12; ++i) t.empty_gid("mlx5_0", 1, i);
  t.port("mlx5_1", 1, "1: DOWN", "3: Disabled", "10 Gb/sec (1X QDR)");
  t.gid("mlx5_1", 1, 0, "fe80:0000:0000:0000:0202:c9ff:fe00:0002", "IB/RoCE v1", "eth3");
  t.empty_gid("mlx5_1", 1, 1);
}

}  // namespace

TEST_CASE("rdma sysfs: a ConnectX tree is read port by port", "[rdma]") {
  FixtureTree t;
  build_connectx(t);
  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  CHECK(scan->note.empty());
  REQUIRE(scan->ports.size() == 2);

  const RdmaPort& p = scan->ports[0];
  CHECK(p.device == "mlx5_0");
  CHECK(p.port == 1);
  CHECK(p.link_layer == "Ethernet");
  CHECK(p.state == 4);
  CHECK(p.state_name == "ACTIVE");
  CHECK(p.phys_state == 5);
  CHECK(p.phys_state_name == "LinkUp");
  CHECK(p.rate == "100 Gb/sec (4X EDR)");
  CHECK_FALSE(p.active_speed.has_value());  // only ibverbs knows
  REQUIRE(p.gids.size() == 4);              // the eight zero slots are skipped
  CHECK(p.gids[0].index == 0);
  CHECK(p.gids[0].gid == "fe80:0000:0000:0000:0202:c9ff:fe00:0001");
  CHECK(p.gids[0].type == "IB/RoCE v1");
  CHECK(p.gids[1].type == "RoCE v2");
  CHECK(p.gids[3].index == 3);
  CHECK(p.gids[3].gid == "0000:0000:0000:0000:0000:ffff:c612:0001");
  CHECK(p.gids[3].netdev == "eth2");
  CHECK(p.netdevs == std::vector<std::string>{"eth2"});

  const RdmaPort& q = scan->ports[1];
  CHECK(q.device == "mlx5_1");
  CHECK(q.state_name == "DOWN");
  CHECK(q.phys_state_name == "Disabled");
  CHECK(q.gids.size() == 1);
  CHECK(q.netdevs == std::vector<std::string>{"eth3"});
}

TEST_CASE("rdma sysfs: the device's firmware version is each of its ports', absent when it has none", "[rdma]") {
  FixtureTree t;
  build_connectx(t);
  t.write("mlx5_0/fw_ver", "28.39.1002");   // ConnectX-6 Dx: <device>/fw_ver beside ports/
  t.port("mlx5_0", 2, "4: ACTIVE", "5: LinkUp");
  t.write("mlx5_1/fw_ver", "");             // a soft device (rxe) prints an empty line
  t.port("rxe0", 1, "4: ACTIVE", "5: LinkUp");   // and one with no fw_ver at all
  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  REQUIRE(scan->ports.size() == 4);
  CHECK(scan->ports[0].device == "mlx5_0");
  CHECK(scan->ports[0].fw_ver == "28.39.1002");
  CHECK(scan->ports[1].port == 2);
  CHECK(scan->ports[1].fw_ver == "28.39.1002");
  CHECK(scan->ports[2].device == "mlx5_1");
  CHECK_FALSE(scan->ports[2].fw_ver);
  CHECK(scan->ports[3].device == "rxe0");
  CHECK_FALSE(scan->ports[3].fw_ver);
  // The link layer and the GID table, which the nightly drift check compares, come with them.
  CHECK(scan->ports[0].link_layer == "Ethernet");
  CHECK(scan->ports[0].gids.size() == 4);
}

TEST_CASE("rdma sysfs: ports map to their netdevs", "[rdma]") {
  FixtureTree t;
  build_connectx(t);
  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  auto eth2 = rdma_ports_for_netdev(*scan, "eth2");
  REQUIRE(eth2.size() == 1);
  CHECK(eth2[0]->device == "mlx5_0");
  CHECK(rdma_ports_for_netdev(*scan, "eth3").size() == 1);
  CHECK(rdma_ports_for_netdev(*scan, "eth9").empty());
}

TEST_CASE("rdma sysfs: numeric order, several ports, unreadable attributes of a live GID", "[rdma]") {
  FixtureTree t;
  t.port("mlx5_0", 2, "4: ACTIVE", "5: LinkUp");
  t.port("mlx5_0", 10, "2: INIT", "4: PortConfigurationTraining");
  t.port("mlx5_0", 1, "4: ACTIVE", "5: LinkUp");
  t.gid("mlx5_0", 1, 10, "fe80:0000:0000:0000:0000:0000:0000:000a", "RoCE v2", "eth4");
  t.gid("mlx5_0", 1, 2, "fe80:0000:0000:0000:0000:0000:0000:0002", "RoCE v2", "eth5");
  // A GID whose attributes cannot be read: the GID stays, the attributes are empty.
  t.write("mlx5_0/ports/1/gids/3", "fe80:0000:0000:0000:0000:0000:0000:0003");
  t.unreadable("mlx5_0/ports/1/gid_attrs/types/3");
  t.unreadable("mlx5_0/ports/1/gid_attrs/ndevs/3");
  t.write("mlx5_0/ports/1/gids/notanumber", "ignored");

  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  REQUIRE(scan->ports.size() == 3);
  CHECK(scan->ports[0].port == 1);
  CHECK(scan->ports[1].port == 2);
  CHECK(scan->ports[2].port == 10);
  CHECK(scan->ports[2].phys_state_name == "PortConfigurationTraining");
  const auto& gids = scan->ports[0].gids;
  REQUIRE(gids.size() == 3);
  CHECK(gids[0].index == 2);
  CHECK(gids[1].index == 3);
  CHECK(gids[1].type.empty());
  CHECK(gids[1].netdev.empty());
  CHECK(gids[2].index == 10);
  CHECK(scan->ports[0].netdevs == std::vector<std::string>{"eth5", "eth4"});
}

TEST_CASE("rdma sysfs: a missing root is a host without RDMA, not an error", "[rdma]") {
  FixtureTree t;
  const fs::path missing = t.root() / "infiniband";
  auto scan = scan_rdma_sysfs(missing);
  REQUIRE(scan.has_value());
  CHECK(scan->ports.empty());
  CHECK(scan->note == "no RDMA devices (" + missing.string() + " is absent)");
}

TEST_CASE("rdma sysfs: an empty root says so", "[rdma]") {
  FixtureTree t;
  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  CHECK(scan->ports.empty());
  CHECK_THAT(scan->note, Catch::StartsWith("no RDMA devices"));
}

TEST_CASE("rdma sysfs: a malformed or missing state file is an error naming the file", "[rdma]") {
  FixtureTree t;
  SECTION("malformed") {
    t.port("mlx5_0", 1, "ACTIVE", "5: LinkUp");
    auto scan = scan_rdma_sysfs(t.root());
    REQUIRE_FALSE(scan.has_value());
    CHECK(scan.error().code == Errc::protocol);
    CHECK_THAT(scan.error().message, Catch::Contains("mlx5_0/ports/1/state"));
  }
  SECTION("missing") {
    t.port("mlx5_0", 1, "4: ACTIVE", "5: LinkUp");
    fs::remove(t.root() / "mlx5_0/ports/1/phys_state");
    auto scan = scan_rdma_sysfs(t.root());
    REQUIRE_FALSE(scan.has_value());
    CHECK_THAT(scan.error().message, Catch::Contains("phys_state"));
  }
}

TEST_CASE("rdma sysfs: the real /sys/class/infiniband is read without error", "[rdma]") {
  auto scan = scan_rdma_sysfs();
  REQUIRE(scan.has_value());
  // Either real ports or a plain-words note, never neither.
  CHECK(scan->ports.empty() != scan->note.empty());
}
