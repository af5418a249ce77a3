// NetlinkLinks against a real kernel, in throw-away namespaces joined by veth. `ip -j` is the
// independent witness of what the kernel holds.
#include <catch2/catch.hpp>

#include <algorithm>

#include "hwdrivers/nic/netlink_links.hpp"
#include "tests/hwdrivers/nic/netns_wait.hpp"
#include "tests/support/netns.hpp"

using namespace mixnet;
using namespace mixnet::nic;
using mixnet::testing::eventually;
using mixnet::testing::NetnsFixture;

namespace {

struct VethPair {
  NetnsFixture lab;
  std::string a = lab.add_namespace();
  std::string b = lab.add_namespace();
  VethPair() { lab.add_veth(a, "mxa0", b, "mxb0"); }

  nlohmann::json link(const std::string& ns, const std::string& dev) { return lab.ip_json(ns, "link show dev " + dev).at(0); }
  nlohmann::json addrs(const std::string& ns, const std::string& dev) {
    return lab.ip_json(ns, "addr show dev " + dev).at(0).at("addr_info");
  }
  bool has_addr(const std::string& ns, const std::string& dev, const std::string& local, int prefix) {
    const auto info = addrs(ns, dev);
    return std::any_of(info.begin(), info.end(), [&](const nlohmann::json& entry) {
      return entry.at("local") == local && entry.at("prefixlen") == prefix;
    });
  }
};

}  // namespace

TEST_CASE("netlink links: list sees only this namespace's interfaces, as ip does", "[netns][links]") {
  VethPair net;
  auto links = net.lab.run_in(net.a, [] { return NetlinkLinks::open(); });
  REQUIRE(links.has_value());
  // The far end's carrier makes ours "up" a moment later (linkwatch): wait for ip to agree.
  REQUIRE(eventually([&] { return net.link(net.a, "mxa0").at("operstate") == "UP"; }));

  auto all = links->list();
  REQUIRE(all.has_value());
  std::vector<std::string> names;
  for (const auto& i : *all) names.push_back(i.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"lo", "mxa0"});  // never the host's interfaces

  const auto witness = net.link(net.a, "mxa0");
  const auto it = std::find_if(all->begin(), all->end(), [](const NetdevInfo& i) { return i.name == "mxa0"; });
  REQUIRE(it != all->end());
  CHECK(it->ifindex == witness.at("ifindex").get<int>());
  CHECK(it->mac == witness.at("address").get<std::string>());
  CHECK(it->mtu == 1500);
  CHECK(it->admin_up);
  CHECK(it->carrier);
  CHECK(it->oper_state == "up");
  REQUIRE(it->speed_mbps.has_value());
  CHECK(*it->speed_mbps == 10000);  // veth reports 10 Gb/s through ethtool
  CHECK(it->ipv4.empty());

  const auto lo = std::find_if(all->begin(), all->end(), [](const NetdevInfo& i) { return i.name == "lo"; });
  REQUIRE(lo != all->end());
  CHECK(lo->mac == "00:00:00:00:00:00");
  CHECK(lo->ipv4 == std::vector<std::string>{"127.0.0.1/8"});
  CHECK(lo->ipv6 == std::vector<std::string>{"::1/128"});
  CHECK_FALSE(lo->speed_mbps.has_value());  // no ethtool support on loopback
}

TEST_CASE("netlink links: get by name, and unknown or bad names", "[netns][links]") {
  VethPair net;
  auto links = net.lab.run_in(net.a, [] { return NetlinkLinks::open(); });
  REQUIRE(links.has_value());
  auto one = links->get("mxa0");
  REQUIRE(one.has_value());
  CHECK(one->name == "mxa0");
  CHECK(one->mac == net.link(net.a, "mxa0").at("address").get<std::string>());

  auto missing = links->get("mxzz");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::not_found);
  for (const std::string_view bad : {"", "a-name-that-is-too-long"}) {
    auto r = links->get(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "name");
  }
}

TEST_CASE("netlink links: set_mtu reaches the kernel, and out-of-range MTUs name the field", "[netns][links]") {
  VethPair net;
  auto links = net.lab.run_in(net.a, [] { return NetlinkLinks::open(); });
  REQUIRE(links.has_value());
  REQUIRE(links->set_mtu("mxa0", 9000).has_value());
  CHECK(net.link(net.a, "mxa0").at("mtu") == 9000);
  CHECK(links->get("mxa0")->mtu == 9000);
  REQUIRE(links->set_mtu("mxa0", 68).has_value());
  CHECK(net.link(net.a, "mxa0").at("mtu") == 68);

  for (const std::uint32_t bad : {0U, 67U, 65536U, 4'000'000'000U}) {
    auto r = links->set_mtu("mxa0", bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "mtu");
  }
  CHECK(net.link(net.a, "mxa0").at("mtu") == 68);  // nothing changed
  CHECK(links->set_mtu("mxzz", 1500).error().code == Errc::not_found);
}

TEST_CASE("netlink links: add and remove IPv4 and IPv6 addresses", "[netns][links]") {
  VethPair net;
  auto links = net.lab.run_in(net.a, [] { return NetlinkLinks::open(); });
  REQUIRE(links.has_value());

  REQUIRE(links->add_address("mxa0", "198.18.7.1/24").has_value());
  REQUIRE(links->add_address("mxa0", "2001:2:0:7::1/64").has_value());  // RFC 5180 benchmarking
  CHECK(net.has_addr(net.a, "mxa0", "198.18.7.1", 24));
  CHECK(net.has_addr(net.a, "mxa0", "2001:2:0:7::1", 64));
  auto info = links->get("mxa0");
  REQUIRE(info.has_value());
  CHECK(info->ipv4 == std::vector<std::string>{"198.18.7.1/24"});
  CHECK(std::find(info->ipv6.begin(), info->ipv6.end(), "2001:2:0:7::1/64") != info->ipv6.end());

  auto twice = links->add_address("mxa0", "198.18.7.1/24");
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().code == Errc::conflict);

  auto malformed = links->add_address("mxa0", "198.18.7.300/24");
  REQUIRE_FALSE(malformed.has_value());
  CHECK(malformed.error().code == Errc::invalid_argument);
  CHECK(malformed.error().field == "address");

  auto wrong_prefix = links->remove_address("mxa0", "198.18.7.1/25");
  REQUIRE_FALSE(wrong_prefix.has_value());
  CHECK(wrong_prefix.error().code == Errc::not_found);

  REQUIRE(links->remove_address("mxa0", "198.18.7.1/24").has_value());
  REQUIRE(links->remove_address("mxa0", "2001:2:0:7::1/64").has_value());
  CHECK_FALSE(net.has_addr(net.a, "mxa0", "198.18.7.1", 24));
  CHECK_FALSE(net.has_addr(net.a, "mxa0", "2001:2:0:7::1", 64));
  CHECK(links->get("mxa0")->ipv4.empty());

  auto gone = links->remove_address("mxa0", "198.18.7.1/24");
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code == Errc::not_found);
  CHECK(links->add_address("mxzz", "198.18.7.1/24").error().code == Errc::not_found);
}

TEST_CASE("netlink links: admin down and up, seen here and as carrier at the far end", "[netns][links]") {
  VethPair net;
  auto links = net.lab.run_in(net.a, [] { return NetlinkLinks::open(); });
  REQUIRE(links.has_value());

  REQUIRE(links->set_admin_up("mxa0", false).has_value());
  const auto flags = net.link(net.a, "mxa0").at("flags");
  CHECK(std::find(flags.begin(), flags.end(), "UP") == flags.end());
  CHECK_FALSE(links->get("mxa0")->admin_up);
  // Veth carrier follows the peer's admin state: the far end now sees a dark link.
  REQUIRE(eventually([&] {
    const auto far = net.link(net.b, "mxb0");
    const auto far_flags = far.at("flags");
    return far.at("operstate") == "DOWN" &&
           std::find(far_flags.begin(), far_flags.end(), "NO-CARRIER") != far_flags.end();
  }));

  REQUIRE(links->set_admin_up("mxa0", true).has_value());
  const auto up_flags = net.link(net.a, "mxa0").at("flags");
  CHECK(std::find(up_flags.begin(), up_flags.end(), "UP") != up_flags.end());
  CHECK(links->get("mxa0")->admin_up);
  CHECK(eventually([&] { return net.link(net.b, "mxb0").at("operstate") == "UP"; }));
  CHECK(links->set_admin_up("mxzz", true).error().code == Errc::not_found);
}
