#include "tests/tools/lab-plane/lab_fixture.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "common/unique_fd.hpp"

namespace mixnet::testing {

using nlohmann::json;

namespace {

constexpr std::uint16_t kProbeType = 0x88b5;   // IEEE local experimental ethertype

void set_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    throw std::runtime_error(std::string("socket timeouts: ") + std::strerror(errno));
  }
}

// A raw socket on the NIC port "ocs0" of the calling thread's namespace; returns (fd, ifindex).
std::pair<int, int> open_raw() {
  const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(kProbeType));
  if (fd < 0) throw std::runtime_error(std::string("packet socket: ") + std::strerror(errno));
  const int index = static_cast<int>(::if_nametoindex("ocs0"));
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(kProbeType);
  sll.sll_ifindex = index;
  if (index == 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    ::close(fd);
    throw std::runtime_error("bind packet socket to ocs0 failed");
  }
  return {fd, index};
}

}  // namespace

PlaneLab::PlaneLab(std::vector<std::pair<int, int>> port_list, bool any_to_any, const std::string& profile,
                   bool skip_first_qdisc, bool start_plane, bool linkwatch_pump) {
  ocs = net.add_namespace();
  // The OCS side is a wire, not a host: no IPv6 chatter of its own onto the NIC ports.
  run_command("ip netns exec " + ocs + " sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
  // The spare pair the plane's linkwatch pump flips, as mixnet-lab makes it.
  net.ip(ocs, "link add lwkick type veth peer name lwkick-peer");
  net.ip(ocs, "link set dev lwkick-peer up");
  for (std::size_t i = 0; i < port_list.size(); ++i) {
    LabPort p;
    p.id = fmt::format("h{}:ocs0", i + 1);
    p.dev = fmt::format("o{}", i + 1);
    p.host = net.add_namespace();
    p.address = fmt::format("198.18.0.{}", i + 1);
    p.tx = port_list[i].first;
    p.rx = port_list[i].second;
    run_command("ip netns exec " + p.host + " sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    net.ip(ocs, "link add " + p.dev + " type veth peer name ocs0 netns " + p.host);
    net.ip(p.host, "link set dev ocs0 up");
    net.ip(p.host, "addr add " + p.address + "/24 dev ocs0");
    if (!(skip_first_qdisc && i == 0)) run_command("tc -n " + ocs + " qdisc add dev " + p.dev + " ingress");
    ports.push_back(p);
  }
  if (!start_plane) return;
  const lab::SwitchShape shape{any_to_any ? ocs_emu::SwitchMode::any_to_any : ocs_emu::SwitchMode::nxm, 8,
                               any_to_any ? 0 : 8};
  json file = plane_file_json();
  file["profile"] = profile;
  if (!linkwatch_pump) file.erase("linkwatch_kick");
  auto parsed = lab::parse_plane_file(file.dump(), shape);
  if (!parsed) throw std::runtime_error("plane file: " + parsed.error().describe());
  auto opened = lab::NetnsPlane::open(std::move(*parsed));
  if (!opened) throw std::runtime_error("plane: " + opened.error().describe());
  plane = *opened;
  ocs_emu::EmulatorOptions o;
  o.mode = shape.mode;
  o.inputs = shape.inputs;
  o.outputs = shape.outputs;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(5);
  o.plane = plane;
  emu = std::make_unique<ocs_emu::Emulator>(o);
  if (auto ok = emu->start(); !ok) throw std::runtime_error("emulator: " + ok.error().describe());
}

PlaneLab::~PlaneLab() {
  if (emu) emu->stop();
  emu.reset();
  plane.reset();
}

json PlaneLab::plane_file_json() const {
  json ends = json::array();
  for (const auto& p : ports) {
    json e{{"id", p.id}, {"dev", p.dev}, {"host_netns", p.host}, {"host_dev", "ocs0"}};
    if (p.tx == p.rx) e["port"] = p.tx;
    else {
      e["tx"] = p.tx;
      e["rx"] = p.rx;
    }
    ends.push_back(e);
  }
  return json{{"netns", ocs}, {"profile", "fast"}, {"seed", 7}, {"linkwatch_kick", "lwkick"}, {"ends", ends}};
}

bool PlaneLab::host_carrier(std::size_t i) {
  const json j = net.ip_json(ports[i].host, "link show dev ocs0");
  for (const auto& f : j.at(0).at("flags")) {
    if (f == "LOWER_UP") return true;
  }
  return false;
}

bool PlaneLab::ocs_admin_up(std::size_t i) {
  const json j = net.ip_json(ocs, "link show dev " + ports[i].dev);
  for (const auto& f : j.at(0).at("flags")) {
    if (f == "UP") return true;
  }
  return false;
}

void PlaneLab::set_nic_admin(std::size_t i, bool up) {
  net.ip(ports[i].host, std::string("link set dev ocs0 ") + (up ? "up" : "down"));
}

bool PlaneLab::wait_carrier(std::size_t i, bool want, std::chrono::milliseconds limit) {
  return wait_until([&] { return host_carrier(i) == want; }, limit);
}

bool wait_until(const std::function<bool()>& ok, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok();
}

lab::EndState PlaneLab::state(std::size_t i) {
  auto s = plane->state(ports[i].id);
  if (!s) throw std::runtime_error(s.error().describe());
  return *s;
}

std::vector<lab::EndEvent> PlaneLab::events_of(std::size_t i) {
  std::vector<lab::EndEvent> out;
  for (auto& e : plane->events(0, 100'000)) {
    if (e.end == ports[i].id) out.push_back(e);
  }
  return out;
}

HttpReply PlaneLab::control(const std::string& method, const std::string& target, const std::string& body) {
  HttpCall c;
  c.method = method;
  c.target = target;
  c.body = body;
  if (!body.empty()) c.headers["Content-Type"] = "application/json";
  return http_request("127.0.0.1", emu->control_port(), c);
}

std::vector<bool> frame_reaches(PlaneLab& lab, std::size_t from, const std::vector<std::size_t>& others,
                                std::chrono::milliseconds wait) {
  std::vector<UniqueFd> receivers;
  for (std::size_t o : others) receivers.emplace_back(lab.net.run_in(lab.ports[o].host, [] { return open_raw().first; }));
  const std::string marker = fmt::format("mxt-plane-{}", std::random_device{}());
  lab.net.run_in(lab.ports[from].host, [&] {
    auto [raw, index] = open_raw();
    UniqueFd fd(raw);
    std::vector<unsigned char> frame(64, 0);
    std::memset(frame.data(), 0xff, 6);                              // broadcast
    const unsigned char src[6] = {0x02, 0, 0, 0, 0, 0x01};
    std::memcpy(frame.data() + 6, src, 6);
    frame[12] = kProbeType >> 8;
    frame[13] = kProbeType & 0xff;
    std::memcpy(frame.data() + 14, marker.data(), marker.size());
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = index;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (::sendto(fd.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
      throw std::runtime_error(std::string("send probe frame: ") + std::strerror(errno));
    }
  });
  std::vector<bool> got(others.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::vector<unsigned char> buf(2048);
  while (std::chrono::steady_clock::now() < deadline) {
    for (std::size_t k = 0; k < receivers.size(); ++k) {
      for (int n = 0; n < 64; ++n) {   // drain, bounded
        sockaddr_ll sll{};
        socklen_t len = sizeof sll;
        const ssize_t r = ::recvfrom(receivers[k].get(), buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&sll), &len);
        if (r <= 0) break;
        if (sll.sll_pkttype == PACKET_OUTGOING) continue;
        if (std::string_view(reinterpret_cast<char*>(buf.data()), static_cast<std::size_t>(r)).find(marker) !=
            std::string_view::npos) {
          got[k] = true;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return got;
}

double tcp_mbit(PlaneLab& lab, std::size_t from, std::size_t to, std::size_t bytes) {
  constexpr unsigned short kPort = 5201;
  UniqueFd listener(lab.net.run_in(lab.ports[to].host, [&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
      ::close(fd);
      throw std::runtime_error(std::string("SO_REUSEADDR: ") + std::strerror(errno));
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(kPort);
    ::inet_pton(AF_INET, lab.ports[to].address.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
      ::close(fd);
      throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
    }
    set_timeouts(fd, 30);
    return fd;
  }));
  std::size_t received = 0;
  std::thread server([&] {
    UniqueFd conn(::accept(listener.get(), nullptr, nullptr));
    if (!conn.valid()) return;
    set_timeouts(conn.get(), 30);
    std::vector<char> buf(64 * 1024);
    for (;;) {
      const ssize_t r = ::recv(conn.get(), buf.data(), buf.size(), 0);
      if (r <= 0) break;
      received += static_cast<std::size_t>(r);
    }
    const char ack = 'k';
    (void)::send(conn.get(), &ack, 1, MSG_NOSIGNAL);
  });
  double mbit = 0;
  std::string failure;
  try {
    mbit = lab.net.run_in(lab.ports[from].host, [&] {
      UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      set_timeouts(fd.get(), 30);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(kPort);
      ::inet_pton(AF_INET, lab.ports[to].address.c_str(), &a.sin_addr);
      const auto start = std::chrono::steady_clock::now();
      if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
      }
      std::vector<char> chunk(64 * 1024, 'x');
      std::size_t sent = 0;
      while (sent < bytes) {
        const ssize_t w = ::send(fd.get(), chunk.data(), std::min(chunk.size(), bytes - sent), MSG_NOSIGNAL);
        if (w <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        sent += static_cast<std::size_t>(w);
      }
      ::shutdown(fd.get(), SHUT_WR);
      char ack = 0;
      if (::recv(fd.get(), &ack, 1, 0) != 1) throw std::runtime_error("no acknowledgement from the receiver");
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return static_cast<double>(bytes) * 8 / 1e6 / s;
    });
  } catch (const std::exception& e) {
    failure = e.what();
    ::shutdown(listener.get(), SHUT_RDWR);
  }
  server.join();
  if (!failure.empty()) throw std::runtime_error(failure);
  if (received != bytes) throw std::runtime_error(fmt::format("received {} of {} bytes", received, bytes));
  return mbit;
}

}  // namespace mixnet::testing
