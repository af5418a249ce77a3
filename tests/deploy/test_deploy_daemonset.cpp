// deploy/kubernetes/mixnet-agent.daemonset.yaml read as Kubernetes would read it: the fields a
// DaemonSet needs, the two capabilities and no privilege, secrets the agent accepts (mode 0400,
// not open to others), and a command line the agent accepts: every flag is one of mixnet-agent's
// own (taken from its --help, i.e. from its option definitions), every $(VAR) is defined, every
// secret file it names is a key of the Secret mounted there (deploy/kubernetes/secrets.example.yaml).
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/agent_config.hpp"
#include "common/token_file.hpp"
#include "tests/deploy/kubernetes_manifest.hpp"
#include "tests/support/scratch_dir.hpp"

namespace {

using mixnet::testing::kubernetes_integer;
using mixnet::testing::load_manifest_documents;
using mixnet::testing::only_manifest_object;
using mixnet::testing::string_list;

// mixnet-agent's flags, from its --help: the lines of the option list (two spaces, then an
// optional "-h," and the long name). The option definitions in agent/agent_config.cpp are the
// one list; this reads it as a user would.
std::set<std::string> agent_flags_from_help() {
  const std::vector<const char*> argv{"mixnet-agent", "--help"};
  const auto help = mixnet::agent::parse_command_line(static_cast<int>(argv.size()), argv.data());
  REQUIRE_FALSE(help.config);
  REQUIRE(help.exit_code == 0);
  std::set<std::string> flags;
  std::istringstream lines(help.message);
  const std::regex option_line("^  (?:-[A-Za-z],)?(--[a-z0-9][a-z0-9-]*)\\b.*");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, option_line)) flags.insert(m[1].str());
  }
  return flags;
}

// "$(NAME)" references in a container's command or args (Kubernetes expands them from the
// container's env and leaves an undefined one as it stands), or "${NAME}" in a probe's shell line.
std::vector<std::string> variable_references(const std::string& text, const std::regex& pattern) {
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern); it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1].str());
  }
  return names;
}

// Every word of a container's command, args and exec probes: where file paths and flags appear.
std::vector<std::string> container_words(const YAML::Node& container) {
  std::vector<std::string> words = string_list(container["command"]);
  for (const auto& a : string_list(container["args"])) words.push_back(a);
  for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"}) {
    if (!container[probe] || !container[probe]["exec"]) continue;
    for (const auto& line : string_list(container[probe]["exec"]["command"])) {
      std::istringstream split(line);
      for (std::string w; split >> w;) {
        std::erase(w, '"');
        std::erase(w, '\'');
        words.push_back(w);
      }
    }
  }
  return words;
}

}  // namespace

TEST_CASE("the agent DaemonSet has what a DaemonSet needs", "[deploy][kubernetes]") {
  const auto docs = load_manifest_documents("mixnet-agent.daemonset.yaml");
  REQUIRE_FALSE(docs.empty());
  for (const auto& d : docs) {
    CHECK(d["apiVersion"].IsScalar());
    CHECK(d["kind"].IsScalar());
    CHECK_FALSE(d["metadata"]["name"].as<std::string>("").empty());
  }
  const auto ds = only_manifest_object(docs, "DaemonSet");
  CHECK(ds["apiVersion"].as<std::string>() == "apps/v1");
  CHECK(ds["metadata"]["name"].as<std::string>() == "mixnet-agent");

  // Its namespace is made by the same file.
  const auto ns = only_manifest_object(docs, "Namespace");
  CHECK(ns["apiVersion"].as<std::string>() == "v1");
  CHECK(ds["metadata"]["namespace"].as<std::string>("") == ns["metadata"]["name"].as<std::string>());

  // apps/v1 requires the selector, and it must match the template's labels exactly.
  const auto match = ds["spec"]["selector"]["matchLabels"];
  REQUIRE(match.IsMap());
  REQUIRE(match.size() > 0);
  const auto labels = ds["spec"]["template"]["metadata"]["labels"];
  REQUIRE(labels.IsMap());
  for (const auto& kv : match) {
    INFO("matchLabels " << kv.first.as<std::string>());
    CHECK(labels[kv.first.as<std::string>()].as<std::string>("") == kv.second.as<std::string>());
  }

  const auto strategy = ds["spec"]["updateStrategy"];
  CHECK(strategy["type"].as<std::string>() == "RollingUpdate");
  CHECK(strategy["rollingUpdate"]["maxUnavailable"].IsScalar());
  // A surge pod would bind the old pod's host address and port.
  CHECK(strategy["rollingUpdate"]["maxSurge"].as<std::string>("0") == "0");

  const auto pod = ds["spec"]["template"]["spec"];
  CHECK(pod["hostNetwork"].as<bool>(false));
  CHECK(pod["dnsPolicy"].as<std::string>("") == "ClusterFirstWithHostNet");
  CHECK(pod["nodeSelector"].IsMap());
  CHECK(pod["tolerations"].IsSequence());
  REQUIRE(pod["containers"].IsSequence());
  REQUIRE(pod["containers"].size() >= 1);
  for (const auto& c : pod["containers"]) {
    INFO("container " << c["name"].as<std::string>(""));
    CHECK_FALSE(c["name"].as<std::string>("").empty());
    CHECK_FALSE(c["image"].as<std::string>("").empty());
    CHECK((c["command"].IsSequence() || c["args"].IsSequence()));
    CHECK(c["resources"]["requests"].IsMap());
    CHECK(c["resources"]["limits"]["memory"].IsScalar());
    CHECK(c["readinessProbe"].IsMap());
    CHECK(c["livenessProbe"].IsMap());
  }
}

TEST_CASE("the agent DaemonSet grants NET_ADMIN and NET_RAW and no privilege", "[deploy][kubernetes]") {
  const auto ds = only_manifest_object(load_manifest_documents("mixnet-agent.daemonset.yaml"), "DaemonSet");
  const auto pod = ds["spec"]["template"]["spec"];
  CHECK_FALSE(pod["hostPID"].as<bool>(false));
  CHECK_FALSE(pod["hostIPC"].as<bool>(false));
  for (const auto& c : pod["containers"]) {
    INFO("container " << c["name"].as<std::string>(""));
    const auto sc = c["securityContext"];
    CHECK_FALSE(sc["privileged"].as<bool>(false));
    CHECK_FALSE(sc["allowPrivilegeEscalation"].as<bool>(true));
    const auto add = string_list(sc["capabilities"]["add"]);
    CHECK(std::set<std::string>(add.begin(), add.end()) == std::set<std::string>{"NET_ADMIN", "NET_RAW"});
    const auto drop = string_list(sc["capabilities"]["drop"]);
    CHECK(std::find(drop.begin(), drop.end(), "ALL") != drop.end());
  }
}

TEST_CASE("the agent DaemonSet mounts defined volumes, secrets no wider than 0600", "[deploy][kubernetes]") {
  const auto ds = only_manifest_object(load_manifest_documents("mixnet-agent.daemonset.yaml"), "DaemonSet");
  const auto pod = ds["spec"]["template"]["spec"];
  std::map<std::string, YAML::Node> volumes;
  for (const auto& v : pod["volumes"]) volumes[v["name"].as<std::string>()] = static_cast<const YAML::Node&>(v);
  REQUIRE_FALSE(volumes.empty());

  std::size_t secret_volumes = 0;
  for (const auto& [name, v] : volumes) {
    if (!v["secret"]) continue;
    ++secret_volumes;
    INFO("secret volume " << name);
    // Without defaultMode the kubelet writes 0644, which the agent refuses for its token and key.
    REQUIRE(v["secret"]["defaultMode"]);
    const long mode = kubernetes_integer(v["secret"]["defaultMode"], name + ".secret.defaultMode");
    CHECK((mode & ~0600L) == 0);
    for (const auto& item : v["secret"]["items"]) {
      if (item["mode"]) CHECK((kubernetes_integer(item["mode"], name + " item mode") & ~0600L) == 0);
    }
  }
  CHECK(secret_volumes >= 2);  // the token and the TLS files

  for (const auto& c : pod["containers"]) {
    for (const auto& m : c["volumeMounts"]) {
      const auto name = m["name"].as<std::string>("");
      INFO("volumeMount " << name << " at " << m["mountPath"].as<std::string>(""));
      CHECK(volumes.count(name) == 1);
      if (volumes.count(name) == 1 && volumes.at(name)["secret"]) CHECK(m["readOnly"].as<bool>(false));
    }
  }
}

TEST_CASE("the agent DaemonSet's command line is one mixnet-agent accepts", "[deploy][kubernetes]") {
  const auto flags = agent_flags_from_help();
  // The help's option list was read at all (else every check below would pass on nothing).
  REQUIRE(flags.count("--listen") == 1);
  REQUIRE(flags.count("--ports") == 1);
  REQUIRE(flags.count("--tls-client-ca") == 1);

  const auto ds = only_manifest_object(load_manifest_documents("mixnet-agent.daemonset.yaml"), "DaemonSet");
  for (const auto& c : ds["spec"]["template"]["spec"]["containers"]) {
    INFO("container " << c["name"].as<std::string>(""));
    const auto command = string_list(c["command"]);
    REQUIRE_FALSE(command.empty());
    CHECK(command.front() == "/usr/bin/mixnet-agent");  // where the package installs it
    auto words = command;
    for (const auto& a : string_list(c["args"])) words.push_back(a);

    std::set<std::string> used;
    for (const auto& w : words) {
      if (!w.starts_with("--")) continue;
      const auto flag = w.substr(0, w.find('='));
      INFO("flag " << flag);
      CHECK(flags.count(flag) == 1);
      used.insert(flag);
    }
    // The systemd unit's own flags (agent/systemd/mixnet-agent.service), and never the demo flag.
    for (const char* f : {"--refuse-wildcard-listen", "--listen", "--token-file", "--ports"}) {
      INFO("the unit's flag " << f);
      CHECK(used.count(f) == 1);
    }
    CHECK(used.count("--insecure-no-auth") == 0);

    // Every $(VAR) in the command line and ${VAR} in a probe's shell line is set in env (for an
    // env value, by an entry before it, as Kubernetes expands them in order).
    std::set<std::string> env;
    for (const auto& e : c["env"]) {
      const auto value = e["value"].as<std::string>("");
      for (const auto& ref : variable_references(value, std::regex(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))"))) {
        INFO("env " << e["name"].as<std::string>() << " refers to " << ref);
        CHECK(env.count(ref) == 1);
      }
      env.insert(e["name"].as<std::string>());
    }
    for (const auto& w : words) {
      for (const auto& ref : variable_references(w, std::regex(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))"))) {
        INFO("argument " << w);
        CHECK(env.count(ref) == 1);
      }
    }
    for (const auto& w : container_words(c)) {
      for (const auto& ref : variable_references(w, std::regex(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})"))) {
        INFO("probe word " << w);
        CHECK(env.count(ref) == 1);
      }
    }
  }
}

TEST_CASE("every secret file the agent DaemonSet names is a key of the Secret mounted there", "[deploy][kubernetes]") {
  const auto ds = only_manifest_object(load_manifest_documents("mixnet-agent.daemonset.yaml"), "DaemonSet");
  const auto secrets = load_manifest_documents("secrets.example.yaml");
  const auto pod = ds["spec"]["template"]["spec"];
  const auto ns = ds["metadata"]["namespace"].as<std::string>();

  std::map<std::string, std::string> secret_of_volume;
  for (const auto& v : pod["volumes"]) {
    if (v["secret"]) secret_of_volume[v["name"].as<std::string>()] = v["secret"]["secretName"].as<std::string>();
  }
  for (const auto& c : pod["containers"]) {
    // mount path -> the keys of the Secret mounted there
    std::map<std::string, std::set<std::string>> keys_at;
    for (const auto& m : c["volumeMounts"]) {
      const auto volume = m["name"].as<std::string>();
      if (secret_of_volume.count(volume) == 0) continue;
      const auto secret = only_manifest_object(secrets, "Secret", secret_of_volume.at(volume));
      CHECK(secret["metadata"]["namespace"].as<std::string>("") == ns);
      auto& keys = keys_at[m["mountPath"].as<std::string>()];
      for (const char* section : {"stringData", "data"}) {
        for (const auto& kv : secret[section]) keys.insert(kv.first.as<std::string>());
      }
    }
    REQUIRE_FALSE(keys_at.empty());
    std::size_t files_named = 0;
    for (const auto& w : container_words(c)) {
      for (const auto& [dir, keys] : keys_at) {
        if (!w.starts_with(dir + "/")) continue;
        ++files_named;
        INFO("file " << w << " in the Secret mounted at " << dir);
        CHECK(keys.count(w.substr(dir.size() + 1)) == 1);
      }
    }
    CHECK(files_named >= 4);  // the token, the certificate, its key and the client CA at least
  }
}

TEST_CASE("the example token, applied by mistake, is refused by the agent", "[deploy][kubernetes]") {
  const auto secret = only_manifest_object(load_manifest_documents("secrets.example.yaml"), "Secret", "mixnet-agent-token");
  const mixnet::testing::ScratchDir dir("mixnet-deploy-token");
  const std::string path = dir.path + "/agent.token";
  std::ofstream(path) << secret["stringData"]["agent.token"].as<std::string>();
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  const auto token = mixnet::read_token_file(path, "token-file");
  REQUIRE_FALSE(token);
  CHECK(token.error().code == mixnet::Errc::invalid_argument);
}
