// Identity probes over real veth links: what one end sends, exactly its peer hears.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "hwdrivers/nic/probe_socket.hpp"
#include "tests/hwdrivers/nic/netns_wait.hpp"
#include "tests/support/netns.hpp"

using namespace mixnet;
using namespace mixnet::nic;
using namespace std::chrono_literals;
using mixnet::testing::NetnsFixture;
using mixnet::testing::wait_readable;

namespace {

// Two cables between namespaces a and b: mxa0-mxb0 and mxa1-mxb1.
struct TwoCables {
  NetnsFixture lab;
  std::string a = lab.add_namespace();
  std::string b = lab.add_namespace();
  TwoCables() {
    lab.add_veth(a, "mxa0", b, "mxb0");
    lab.add_veth(a, "mxa1", b, "mxb1");
  }
  ProbeSocket open(const std::string& ns, const std::string& dev) {
    auto sock = lab.run_in(ns, [&] { return ProbeSocket::open(static_cast<int>(if_nametoindex(dev.c_str())), dev); });
    REQUIRE(sock.has_value());
    return std::move(*sock);
  }
  std::string mac(const std::string& ns, const std::string& dev) {
    return lab.ip_json(ns, "link show dev " + dev).at(0).at("address").get<std::string>();
  }
};

ProbeFrame probe(std::uint64_t nonce, const std::string& port) {
  ProbeFrame f;
  f.host_id = "host-a";
  f.port = port;
  f.nonce = nonce;
  f.send_time_ns = realtime_ns();
  return f;
}

std::optional<ReceivedProbe> receive_within(ProbeSocket& sock, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (!wait_readable(sock.fd(), 50ms)) continue;
    auto r = sock.receive();
    REQUIRE(r.has_value());
    if (*r) return std::move(**r);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("probe socket: a probe reaches the peer port and no other", "[netns][probe]") {
  TwoCables net;
  ProbeSocket a0 = net.open(net.a, "mxa0");
  ProbeSocket b0 = net.open(net.b, "mxb0");
  ProbeSocket b1 = net.open(net.b, "mxb1");
  CHECK(a0.ifname() == "mxa0");
  CHECK((fcntl(b0.fd(), F_GETFL) & O_NONBLOCK) != 0);

  const std::int64_t before = realtime_ns();
  REQUIRE(a0.send(probe(0xfeedface12345678ULL, "mxa0")).has_value());
  auto got = receive_within(b0, 2s);
  const std::int64_t after = realtime_ns();
  REQUIRE(got.has_value());
  CHECK(got->frame.host_id == "host-a");
  CHECK(got->frame.port == "mxa0");
  CHECK(got->frame.nonce == 0xfeedface12345678ULL);
  CHECK(got->frame.send_time_ns >= before);
  CHECK(got->receive_time_ns >= got->frame.send_time_ns);
  CHECK(got->receive_time_ns <= after);
  CHECK(format_mac(got->frame.source) == net.mac(net.a, "mxa0"));  // filled in from the port
  CHECK(format_mac(got->frame.destination) == "ff:ff:ff:ff:ff:ff");

  CHECK_FALSE(receive_within(b1, 300ms).has_value());  // the other cable stays silent
  CHECK(b0.receive().value() == std::nullopt);         // exactly one copy arrived
}

TEST_CASE("probe socket: both directions, and the sender does not hear itself", "[netns][probe]") {
  TwoCables net;
  ProbeSocket a1 = net.open(net.a, "mxa1");
  ProbeSocket a1_listener = net.open(net.a, "mxa1");  // a second socket on the sending port
  ProbeSocket b1 = net.open(net.b, "mxb1");

  ProbeFrame back = probe(42, "mxb1");
  back.host_id = "host-b";
  REQUIRE(b1.send(back).has_value());
  auto at_a = receive_within(a1, 2s);
  REQUIRE(at_a.has_value());
  CHECK(at_a->frame.host_id == "host-b");
  CHECK(at_a->frame.port == "mxb1");
  CHECK(at_a->frame.nonce == 42);
  CHECK(format_mac(at_a->frame.source) == net.mac(net.b, "mxb1"));

  REQUIRE(a1.send(probe(43, "mxa1")).has_value());
  auto at_b = receive_within(b1, 2s);
  REQUIRE(at_b.has_value());
  CHECK(at_b->frame.nonce == 43);
  // Our own outgoing frame is not a neighbour, on the sending socket or another one on the port:
  // the second socket heard b1's probe 42 (it was open then), and nothing else.
  CHECK_FALSE(receive_within(a1, 200ms).has_value());
  std::vector<std::uint64_t> heard;
  while (auto r = receive_within(a1_listener, 200ms)) heard.push_back(r->frame.nonce);
  CHECK(heard == std::vector<std::uint64_t>{42});
  CHECK(a1.ignored() == 0);
}

TEST_CASE("probe socket: frames with the probe EtherType that are not probes are counted and skipped",
          "[netns][probe]") {
  TwoCables net;
  ProbeSocket b0 = net.open(net.b, "mxb0");
  ProbeSocket a0 = net.open(net.a, "mxa0");

  // A raw sender in namespace a writes a junk frame, then a real probe follows.
  const bool sent = net.lab.run_in(net.a, [] {
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(if_nametoindex("mxa0"));
    to.sll_halen = 6;
    std::vector<std::uint8_t> junk(60, 0);
    std::fill(junk.begin(), junk.begin() + 6, 0xff);
    junk[12] = 0x88;
    junk[13] = 0xB5;
    std::copy_n("JUNK", 4, junk.begin() + 14);
    const auto n = ::sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
    return n == static_cast<ssize_t>(junk.size());
  });
  REQUIRE(sent);
  REQUIRE(a0.send(probe(7, "mxa0")).has_value());

  auto got = receive_within(b0, 2s);
  REQUIRE(got.has_value());
  CHECK(got->frame.nonce == 7);
  CHECK(b0.ignored() == 1);
}

TEST_CASE("probe socket: open checks that index and name agree, and send checks the names", "[netns][probe]") {
  TwoCables net;
  const int a0_index = net.lab.run_in(net.a, [] { return static_cast<int>(if_nametoindex("mxa0")); });
  auto mismatch = net.lab.run_in(net.a, [&] { return ProbeSocket::open(a0_index, "mxa1"); });
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().code == Errc::invalid_argument);
  CHECK(mismatch.error().field == "ifname");

  auto absent = net.lab.run_in(net.a, [] { return ProbeSocket::open(9999, "mxzz"); });
  REQUIRE_FALSE(absent.has_value());
  CHECK(absent.error().code == Errc::not_found);
  CHECK(absent.error().field == "ifindex");

  auto zero = net.lab.run_in(net.a, [] { return ProbeSocket::open(0, "mxa0"); });
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().field == "ifindex");

  ProbeSocket a0 = net.open(net.a, "mxa0");
  auto bad = a0.send(probe(1, ""));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().field == "port");
}
