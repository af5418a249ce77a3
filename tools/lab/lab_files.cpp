#include "tools/lab/lab_files.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <string_view>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "common/unique_fd.hpp"
#include "tools/lab/lab_ca.hpp"

namespace mixnet::lab {

std::string port_mac(int host_index, const PlanPort& port, int index_in_kind) {
  return fmt::format("02:6d:6c:00:{:02x}:{:02x}", host_index, (port.ocs ? 0 : 0x40) + index_in_kind);
}

std::string agent_url(const LabPlan& plan, const PlanHost& host) {
  return fmt::format("{}://{}:{}", plan.config.insecure_plain_http ? "http" : "https", host.mgmt_address, kAgentPort);
}

std::string render_inventory(const LabPlan& plan, const std::vector<EmulatorPorts>& ports) {
  std::string y;
  y += "# Written by mixnet-lab up; see docs/inventory.md and docs/lab.md. The cabling below is the\n";
  y += "# only record of which OCS ports each NIC port's fibres land on.\n";
  y += "version: 1\n";
  y += fmt::format("name: mixnet-lab {}\n\nhosts:\n", plan.config.name);
  for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
    const PlanHost& h = plan.hosts[i];
    y += fmt::format("  - name: {}\n    gpus: {}\n    agent:\n      url: {}\n      token_file: token\n", h.name,
                     plan.config.gpus, agent_url(plan, h));
    y += "    ports:\n";
    const PlanRegion& region = plan.region_of(h);
    int ocs_k = 0, eps_k = 0;
    for (const PlanPort& p : h.ports) {
      const int k = p.ocs ? ocs_k++ : eps_k++;
      y += fmt::format("      - name: {}\n        address: {}\n        mac: \"{}\"\n", p.dev, p.address,
                       port_mac(static_cast<int>(i) + 1, p, k));
      if (!p.ocs) {
        y += fmt::format("        eps: {{switch: eps1, port: {}}}\n", p.port);
      } else if (region.size.any_to_any) {
        y += fmt::format("        ocs: {{switch: {}, port: {}}}\n", region.switch_name, p.port);
      } else {
        y += fmt::format("        ocs: {{switch: {}, tx: {}, rx: {}}}\n", region.switch_name, p.tx, p.rx);
      }
    }
  }
  const std::string password = plan.dir + "/ocs-password";
  // RESTCONF is HTTPS unless the lab serves plain HTTP: the CA file makes the driver verify it.
  const std::string rest_tls = plan.config.insecure_plain_http ? "" : "&ca-file=" + lab_ca_cert(plan.dir);
  y += "\nswitches:\n";
  for (std::size_t r = 0; r < plan.regions.size(); ++r) {
    const EmulatorPorts& at = ports.at(r);
    y += fmt::format("  - name: {}\n    kind: ocs\n", plan.regions[r].switch_name);
    // Several regions: each switch serves its own, named r1..rR (docs/inventory.md, "Regions").
    if (plan.regions.size() > 1) y += fmt::format("    region: r{}\n", r + 1);
    y += fmt::format("    uri: polatis-tl1://admin@127.0.0.1:{}?password-file={}\n", at.tl1, password);
    y += "    alt_uris:\n";
    y += fmt::format("      - polatis-rest://admin@127.0.0.1:{}?password-file={}{}\n", at.rest, password, rest_tls);
    if (at.calient != 0) {
      y += fmt::format("      - calient-tl1://admin@127.0.0.1:{}?password-file={}\n", at.calient, password);
    }
    y += fmt::format("    ground_truth:\n      url: http://127.0.0.1:{}\n      token_file: token\n", at.control);
  }
  y += "  - name: eps1\n    kind: eps\n";
  // Absolute paths, as the password file's: a copy of this inventory elsewhere still finds them.
  if (!plan.config.insecure_plain_http) {
    const TlsClientFiles client = lab_client_tls(plan.dir);
    y += fmt::format("\ntls:\n  agent_ca_file: {}\n  client_cert_file: {}\n  client_key_file: {}\n", client.ca_file,
                     client.cert_file, client.key_file);
  }
  y += fmt::format("\nlab:\n  dir: {}\n  seed: {}\n  profile: {}\n", plan.dir, plan.config.seed, plan.config.profile);
  return y;
}

namespace {
// render_inventory's indentation of a data port's keys (under hosts[].ports[]).
constexpr std::string_view kPortMacLine = "        mac: ";
constexpr std::string_view kPortExpectLine = "        expect: ";
}  // namespace

std::string with_line_rate(const std::string& inventory, std::optional<int> mbit) {
  std::string out;
  std::size_t at = 0;
  while (at < inventory.size()) {
    const std::size_t end = inventory.find('\n', at);
    const std::size_t next = end == std::string::npos ? inventory.size() : end + 1;
    const std::string_view line(inventory.data() + at, next - at);
    at = next;
    if (line.starts_with(kPortExpectLine)) continue;   // the old rate, if any
    out += line;
    // Every data port has a MAC, and only data ports: the new rate goes right after it.
    if (mbit && line.starts_with(kPortMacLine)) out += fmt::format("{}{{speed_mbps: {}}}\n", kPortExpectLine, *mbit);
  }
  return out;
}

std::string render_plane_file(const LabPlan& plan, std::size_t region) {
  const PlanRegion& r = plan.regions.at(region);
  nlohmann::json ends = nlohmann::json::array();
  for (const std::size_t host : r.hosts) {
    const PlanHost& h = plan.hosts[host];
    for (const PlanPort& p : h.ports) {
      if (!p.ocs) continue;
      nlohmann::json e = {{"id", h.name + ":" + p.dev},
                          {"dev", p.peer_dev},
                          {"host_netns", h.netns},
                          {"host_dev", p.dev}};
      if (r.size.any_to_any) {
        e["port"] = p.port;
      } else {
        e["tx"] = p.tx;
        e["rx"] = p.rx;
      }
      ends.push_back(std::move(e));
    }
  }
  nlohmann::json doc = {{"netns", r.netns}, {"profile", plan.config.profile}, {"seed", r.seed}, {"ends", std::move(ends)}};
  if (plan.config.linkwatch_pump) doc["linkwatch_kick"] = kLinkwatchKickDev;
  return doc.dump(2) + "\n";
}

Result<std::string> read_text_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return fail_errno("open " + path, errno);
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) return fail_errno("read " + path, errno);
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

Result<void> write_file(const std::string& path, const std::string& text, unsigned mode) {
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return fail_errno("create " + tmp, errno);
  ::fchmod(fd.get(), mode);  // the umask must not widen or narrow what we asked for
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      const int err = errno;
      fd.reset();
      ::unlink(tmp.c_str());
      return fail_errno("write " + tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail_errno("rename " + tmp, err);
  }
  return {};
}

}  // namespace mixnet::lab
