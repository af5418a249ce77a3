// LinkMonitor against a real kernel: the far end of a veth goes down and up, and our end's
// carrier follows; the monitor must hear it from multicast, stamped between our own clock reads.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>

#include "common/clock.hpp"
#include "hwdrivers/nic/link_monitor.hpp"
#include "hwdrivers/nic/netlink_links.hpp"
#include "tests/hwdrivers/nic/netns_wait.hpp"
#include "tests/support/netns.hpp"

using namespace mixnet;
using namespace mixnet::nic;
using namespace std::chrono_literals;
using mixnet::testing::NetnsFixture;
using mixnet::testing::wait_readable;

namespace {

struct Watched {
  NetnsFixture lab;
  std::string a = lab.add_namespace();
  std::string b = lab.add_namespace();
  std::optional<LinkMonitor> monitor;
  LinkChangeDetector detector;
  int ifindex = 0;
  std::vector<LinkChange> seen;  // every change for mxa0, in order

  // The link settles first (veth creation emits a burst of messages, and oper_state follows the
  // carrier through the kernel's linkwatch a moment later); then the monitor opens, and only then
  // is the seed read, so no change can fall between the two and none predates the seed.
  Watched() {
    lab.add_veth(a, "mxa0", b, "mxb0");
    REQUIRE(mixnet::testing::eventually([&] {
      return lab.ip_json(a, "link show dev mxa0").at(0).at("operstate") == "UP" &&
             lab.ip_json(b, "link show dev mxb0").at(0).at("operstate") == "UP";
    }));
    auto m = lab.run_in(a, [] { return LinkMonitor::open(); });
    REQUIRE(m.has_value());
    monitor.emplace(std::move(*m));
    auto links = lab.run_in(a, [] { return NetlinkLinks::open(); });
    REQUIRE(links.has_value());
    auto info = links->get("mxa0");
    REQUIRE(info.has_value());
    ifindex = info->ifindex;
    detector.seed(LinkState{info->ifindex, info->name, info->admin_up, info->carrier, info->oper_state, false, 0});
  }

  // Feeds every message into the detector until an event of `kind` for mxa0 appears.
  std::optional<LinkChange> wait_for(LinkEventKind kind, std::chrono::milliseconds timeout = 5s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (!wait_readable(monitor->fd(), 100ms)) continue;
      auto states = monitor->drain();
      REQUIRE(states.has_value());
      for (const auto& s : *states) {
        if (s.ifindex != ifindex) continue;
        for (auto& change : detector.update(s)) {
          seen.push_back(change);
          if (change.kind == kind) return change;
        }
      }
    }
    return std::nullopt;
  }
};

}  // namespace

TEST_CASE("link monitor: the fd is non-blocking and an idle drain returns nothing", "[netns][monitor]") {
  NetnsFixture lab;
  const auto ns = lab.add_namespace();
  auto monitor = lab.run_in(ns, [] { return LinkMonitor::open(); });
  REQUIRE(monitor.has_value());
  CHECK((fcntl(monitor->fd(), F_GETFL) & O_NONBLOCK) != 0);
  auto first = monitor->drain();  // lo came up before we subscribed: nothing is pending
  REQUIRE(first.has_value());
  CHECK(first->empty());
}

TEST_CASE("link monitor: far end down gives link_down, far end up gives link_up", "[netns][monitor]") {
  Watched w;

  const std::int64_t before_down = realtime_ns();
  w.lab.ip(w.b, "link set dev mxb0 down");
  auto down = w.wait_for(LinkEventKind::link_down);
  const std::int64_t after_down = realtime_ns();
  REQUIRE(down.has_value());
  CHECK(down->state.name == "mxa0");
  CHECK_FALSE(down->state.carrier);
  CHECK(down->state.admin_up);  // our side is still administratively up
  CHECK(down->state.read_time_ns >= before_down);
  CHECK(down->state.read_time_ns <= after_down);

  const std::int64_t before_up = realtime_ns();
  w.lab.ip(w.b, "link set dev mxb0 up");
  auto up = w.wait_for(LinkEventKind::link_up);
  const std::int64_t after_up = realtime_ns();
  REQUIRE(up.has_value());
  CHECK(up->state.carrier);
  CHECK(up->state.read_time_ns >= before_up);
  CHECK(up->state.read_time_ns <= after_up);
  CHECK(up->state.read_time_ns > down->state.read_time_ns);
}

TEST_CASE("link monitor: our own admin change and the link's removal are reported", "[netns][monitor]") {
  Watched w;
  w.lab.ip(w.a, "link set dev mxa0 down");
  auto admin = w.wait_for(LinkEventKind::admin_down);
  REQUIRE(admin.has_value());
  CHECK_FALSE(admin->state.admin_up);

  w.lab.ip(w.b, "link del dev mxb0");  // deleting one end of a veth deletes both
  auto removed = w.wait_for(LinkEventKind::removed);
  REQUIRE(removed.has_value());
  CHECK(removed->state.removed);
  CHECK(removed->state.ifindex == w.ifindex);
}

TEST_CASE("link monitor: joining and leaving a bridge is not a removal", "[netns][monitor]") {
  Watched w;
  // The kernel announces bridge membership with AF_BRIDGE messages on the same multicast group,
  // including an RTM_DELLINK when the port leaves the bridge.
  w.lab.ip(w.a, "link add name mxbr0 type bridge");
  w.lab.ip(w.a, "link set dev mxa0 master mxbr0");
  w.lab.ip(w.a, "link set dev mxa0 nomaster");
  w.lab.ip(w.b, "link set dev mxb0 down");
  REQUIRE(w.wait_for(LinkEventKind::link_down).has_value());
  for (const auto& change : w.seen) CHECK(change.kind != LinkEventKind::removed);
}

TEST_CASE("link monitor: a kernel buffer overrun is reported as an overrun, then reading resumes",
          "[netns][monitor]") {
  Watched w;
  // Shrink the receive buffer to the kernel's minimum and make far more messages than fit.
  const int tiny = 1;
  REQUIRE(setsockopt(w.monitor->fd(), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny) == 0);
  for (int i = 0; i < 100; ++i) w.lab.ip(w.a, "link set dev mxa0 mtu " + std::to_string(1400 + i));

  bool overrun = false;
  for (int round = 0; round < 200 && !overrun; ++round) {
    auto r = w.monitor->drain();
    if (!r) {
      CHECK(r.error().code == Errc::io);
      CHECK(r.error().cause == Cause::netlink_overrun);
      CHECK_THAT(r.error().message, Catch::Contains("overrun"));
      overrun = true;
    } else if (r->empty()) {
      break;
    }
  }
  CHECK(overrun);
  // The socket stays usable: the next change is heard again.
  w.lab.ip(w.b, "link set dev mxb0 down");
  CHECK(w.wait_for(LinkEventKind::link_down).has_value());
}
