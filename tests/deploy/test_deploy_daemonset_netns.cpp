// The DaemonSet's pod, played without Kubernetes: its command line, expanded as the kubelet
// expands it, starts the real mixnet-agent in a network namespace (the "node"), as uid 0 with only
// NET_ADMIN and NET_RAW (what its securityContext leaves), reading the Secrets from folders laid
// out as the kubelet writes Secret volumes (..data symlinks, the manifest's defaultMode). Then the
// readiness probe's own command must find it ready, a client without a certificate must be
// refused, and a renewed token Secret must take effect on SIGHUP (docs/deploy.md, "Token
// rotation"). Label integration: root, namespaces.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/subprocess.hpp"
#include "tests/deploy/kubernetes_manifest.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/support/text_file.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using mixnet::testing::expand_kubernetes_references;
using mixnet::testing::kubernetes_integer;
using mixnet::testing::string_list;

// The node's management address (status.hostIP) and two NICs the manifest's
// MIXNET_AGENT_PORTS glob (enp*np*) matches.
constexpr const char* kPodHostIp = "198.18.77.1";
constexpr const char* kPodNic = "enp1s0np0";
constexpr const char* kPodNicPeer = "enp2s0np1";

// One generation of a Secret volume as the kubelet writes it: DIR/..GEN/KEY (mode), DIR/..data ->
// ..GEN, DIR/KEY -> ..data/KEY. A new generation replaces ..data in one rename, as the kubelet does.
void write_secret_generation(const fs::path& dir, const std::string& generation,
                             const std::map<std::string, std::string>& files, long mode) {
  fs::create_directories(dir / generation);
  for (const auto& [key, content] : files) {
    const auto path = dir / generation / key;
    std::ofstream(path) << content;
    REQUIRE(::chmod(path.c_str(), static_cast<mode_t>(mode)) == 0);
  }
  fs::create_directory_symlink(generation, dir / "..data_tmp");
  fs::rename(dir / "..data_tmp", dir / "..data");
  for (const auto& [key, content] : files) {
    if (!fs::is_symlink(dir / key)) fs::create_symlink(fs::path("..data") / key, dir / key);
  }
}

// The agent, started with posix_spawn (stdout and stderr to a file), stopped with SIGTERM when the
// test ends however it ends.
struct PodAgentProcess {
  pid_t pid = -1;
  explicit PodAgentProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid = -1;
  }
  ~PodAgentProcess() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 50; ++i) {   // 5 s for a clean stop, then SIGKILL
      if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  PodAgentProcess(const PodAgentProcess&) = delete;
  PodAgentProcess& operator=(const PodAgentProcess&) = delete;
};

// `text` with every secret mount path P/ moved under `root` (root + P/), where the test's Secret
// volumes lie.
std::string under_pod_root(std::string text, const std::string& root, const std::vector<std::string>& mount_paths) {
  for (const auto& mount : mount_paths) {
    const std::string from = mount + "/";
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + root.size() + from.size())) {
      if (at >= root.size() && text.compare(at - root.size(), root.size(), root) == 0) continue;
      text.insert(at, root);
    }
  }
  return text;
}

}  // namespace

TEST_CASE("the agent DaemonSet's pod, played in a namespace: its probe finds the agent ready, a renewed token takes on SIGHUP",
          "[deploy][kubernetes][netns]") {
  const auto ds = mixnet::testing::only_manifest_object(
      mixnet::testing::load_manifest_documents("mixnet-agent.daemonset.yaml"), "DaemonSet");
  const auto pod = ds["spec"]["template"]["spec"];
  REQUIRE(pod["containers"].size() == 1);
  const auto container = pod["containers"][0];

  mixnet::testing::NetnsFixture net;
  const auto ns = net.add_namespace();
  net.add_veth(ns, kPodNic, ns, kPodNicPeer);
  net.ip(ns, std::string("addr add ") + kPodHostIp + "/24 dev " + kPodNic);

  // The Secrets' contents, by Secret name and key (secrets.example.yaml's shapes).
  const mixnet::testing::TestCa ca(kPodHostIp);
  const std::string first_token = "deploy-test-token-one";
  const std::string second_token = "deploy-test-token-two";
  std::map<std::string, std::map<std::string, std::string>> secret_files{
      {"mixnet-agent-token", {{"agent.token", first_token}}},
      {"mixnet-agent-tls",
       {{"tls.crt", mixnet::testing::read_all(ca.server_cert())},
        {"tls.key", mixnet::testing::read_all(ca.server_key())},
        {"ca.crt", mixnet::testing::read_all(ca.ca_cert())}}},
      {"mixnet-agent-probe-tls",
       {{"tls.crt", mixnet::testing::read_all(ca.client_cert())}, {"tls.key", mixnet::testing::read_all(ca.client_key())}}},
  };

  // The pod's Secret volumes under a scratch root, each at its mountPath with its defaultMode.
  const mixnet::testing::ScratchDir root("mixnet-deploy-pod");
  std::map<std::string, std::pair<std::string, long>> volume_secret;   // volume -> secret, mode
  for (const auto& v : pod["volumes"]) {
    REQUIRE(v["secret"]);
    volume_secret[v["name"].as<std::string>()] = {v["secret"]["secretName"].as<std::string>(),
                                                  kubernetes_integer(v["secret"]["defaultMode"], "defaultMode")};
  }
  std::vector<std::string> mount_paths;
  fs::path token_dir;
  long token_mode = 0;
  for (const auto& m : container["volumeMounts"]) {
    const auto& [secret, mode] = volume_secret.at(m["name"].as<std::string>());
    const fs::path dir = root.path + m["mountPath"].as<std::string>();
    INFO("Secret " << secret);
    REQUIRE(secret_files.count(secret) == 1);
    write_secret_generation(dir, "..2026_12_07_00_00_00.1", secret_files.at(secret), mode);
    mount_paths.push_back(m["mountPath"].as<std::string>());
    if (secret == "mixnet-agent-token") {
      token_dir = dir;
      token_mode = mode;
    }
  }
  REQUIRE_FALSE(token_dir.empty());

  // The container's env as the kubelet makes it: fieldRef status.hostIP, then $(VAR) in order.
  std::map<std::string, std::string> env;
  for (const auto& e : container["env"]) {
    const auto name = e["name"].as<std::string>();
    if (e["valueFrom"]) {
      REQUIRE(e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "status.hostIP");
      env[name] = kPodHostIp;
    } else {
      env[name] = expand_kubernetes_references(e["value"].as<std::string>(), env);
    }
  }

  // Its command line: the built agent for /usr/bin/mixnet-agent, run as uid 0 with the bounding
  // set cut to the two capabilities, in the node's namespace.
  std::vector<std::string> argv{"ip", "netns", "exec", ns, "setpriv", "--bounding-set", "-all,+net_admin,+net_raw",
                                "--inh-caps", "-all,+net_admin,+net_raw", "--", MIXNET_AGENT_BINARY};
  for (const auto& a : string_list(container["args"])) {
    argv.push_back(under_pod_root(expand_kubernetes_references(a, env), root.path, mount_paths));
  }
  const std::string log_path = root.path + "/agent.log";
  const PodAgentProcess agent(argv, log_path);
  REQUIRE(agent.pid > 0);

  // A probe's exec command, paths under the root, run in the node's namespace with the container's env.
  const auto run_probe = [&](const YAML::Node& probe) {
    mixnet::ProgramRun run;
    run.argv = {"ip", "netns", "exec", ns};
    for (const auto& word : string_list(probe["exec"]["command"])) run.argv.push_back(under_pod_root(word, root.path, mount_paths));
    run.env.assign(env.begin(), env.end());
    run.timeout = std::chrono::seconds(10);
    auto r = mixnet::run_program(run);
    REQUIRE(r);
    return *r;
  };
  // Readiness as the kubelet polls it, bounded: 100 tries 100 ms apart.
  mixnet::ProgramResult ready;
  for (int attempt = 0; attempt < 100; ++attempt) {
    ready = run_probe(container["readinessProbe"]);
    if (ready.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("probe: " << ready.err << "\nagent log:\n" << mixnet::testing::read_all(log_path));
  REQUIRE(ready.exit_code == 0);
  CHECK(run_probe(container["livenessProbe"]).exit_code == 0);
  const auto log = mixnet::testing::read_all(log_path);
  CHECK(log.find("(client certificates required)") != std::string::npos);
  CHECK(log.find(std::string("managing: ")) != std::string::npos);
  CHECK(log.find(kPodNic) != std::string::npos);

  // A request with a token, from a client holding the probe's certificate: the status code.
  const std::string url = "https://" + env.at("MIXNET_AGENT_LISTEN");
  const auto status_with = [&](const std::string& token, bool client_certificate) {
    std::vector<std::string> curl{"ip", "netns", "exec", ns, "curl", "--silent", "--max-time", "5", "--output", "/dev/null",
                                  "--write-out", "%{http_code}", "--cacert", ca.ca_cert()};
    if (client_certificate) curl.insert(curl.end(), {"--cert", ca.client_cert(), "--key", ca.client_key()});
    curl.insert(curl.end(), {"--header", "Authorization: Bearer " + token, url + "/v1/inventory"});
    auto r = mixnet::run_program(curl, "", std::chrono::seconds(10));
    REQUIRE(r);
    return r->out;
  };
  CHECK(status_with(first_token, true) == "200");
  CHECK(status_with(first_token, false) == "000");   // no client certificate: no handshake (kubelet's httpGet)

  // Token rotation: the kubelet renews the Secret's files, SIGHUP makes the agent re-read them.
  write_secret_generation(token_dir, "..2026_12_07_01_00_00.2", {{"agent.token", second_token}}, token_mode);
  REQUIRE(::kill(agent.pid, SIGHUP) == 0);
  std::string after;
  for (int attempt = 0; attempt < 50; ++attempt) {
    after = status_with(second_token, true);
    if (after == "200") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(after == "200");
  CHECK(status_with(first_token, true) == "401");
}
