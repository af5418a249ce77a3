#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "agent/agent_config.hpp"

using namespace mixnet::agent;

namespace {

CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "mixnet-agent");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// A token file in a private temporary directory, removed with the object.
struct TokenFile {
  std::string dir;
  std::string path;
  explicit TokenFile(const std::string& content, mode_t mode = 0600) {
    char tmpl[] = "/tmp/mixnet-agent-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    path = dir + "/token";
    std::ofstream(path) << content;
    REQUIRE(chmod(path.c_str(), mode) == 0);
  }
  ~TokenFile() {
    unlink(path.c_str());
    rmdir(dir.c_str());
  }
};

}  // namespace

// Every flag given lands in the config as typed (token trimmed, port list split), with no warnings.
TEST_CASE("a full command line", "[agent][config]") {
  TokenFile token("  s3cret-token\n");
  auto cl = parse({"--listen", "0.0.0.0:7171", "--token-file", token.path, "--ports", "veth0, ens*", "--host-id",
                   "gpu-host-1", "--log-level", "debug", "--journal-capacity", "100"});
  REQUIRE(cl.config);
  CHECK(cl.config->listen == "0.0.0.0:7171");
  CHECK(cl.config->token == "s3cret-token");
  CHECK_FALSE(cl.config->insecure_no_auth);
  CHECK(cl.config->port_patterns == std::vector<std::string>{"veth0", "ens*"});
  CHECK(cl.config->host_id == "gpu-host-1");
  CHECK(cl.config->log_level == "debug");
  CHECK(cl.config->journal_capacity == 100u);
  CHECK(cl.config->warnings.empty());
}

TEST_CASE("defaults: loopback listener, hostname as host id", "[agent][config]") {
  TokenFile token("t");
  auto cl = parse({"--token-file", token.path, "--ports", "eth1"});
  REQUIRE(cl.config);
  CHECK(cl.config->listen == "127.0.0.1:7470");
  char host[256] = {};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  CHECK(cl.config->host_id == host);
  CHECK(cl.config->journal_capacity == 4096u);
}

TEST_CASE("authentication is required unless explicitly waived", "[agent][config]") {
  auto none = parse({"--ports", "eth1"});
  CHECK_FALSE(none.config);
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.message, Catch::Contains("--token-file") && Catch::Contains("--insecure-no-auth"));

  auto insecure = parse({"--ports", "eth1", "--insecure-no-auth"});
  REQUIRE(insecure.config);
  CHECK_FALSE(insecure.config->token);
  CHECK(insecure.config->warnings.size() == 1);

  TokenFile token("t");
  auto both = parse({"--ports", "eth1", "--insecure-no-auth", "--token-file", token.path});
  CHECK_FALSE(both.config);
  CHECK(both.exit_code == 2);
}

TEST_CASE("token files: empty, missing, readable by others", "[agent][config]") {
  TokenFile empty(" \n\t\n");
  auto e = parse({"--ports", "eth1", "--token-file", empty.path});
  CHECK_FALSE(e.config);
  CHECK_THAT(e.message, Catch::Contains("empty"));

  auto missing = parse({"--ports", "eth1", "--token-file", "/nonexistent/mixnet/token"});
  CHECK_FALSE(missing.config);
  CHECK_THAT(missing.message, Catch::Contains("--token-file"));

  auto dir = parse({"--ports", "eth1", "--token-file", "/tmp"});
  CHECK_FALSE(dir.config);

  TokenFile spaced("two words");
  CHECK_FALSE(parse({"--ports", "eth1", "--token-file", spaced.path}).config);

  // A token others may read is refused at start-up, naming the file and its mode.
  TokenFile world("tok", 0644);
  auto w = parse({"--ports", "eth1", "--token-file", world.path});
  CHECK_FALSE(w.config);
  CHECK_THAT(w.message, Catch::Contains(world.path + ": mode 0644 lets group/others read it; chmod 600"));
}

TEST_CASE("bad flags exit 2 with a message naming the flag", "[agent][config]") {
  TokenFile token("t");
  CHECK_FALSE(parse({"--token-file", token.path}).config);  // --ports is required
  auto empty_port = parse({"--token-file", token.path, "--ports", "eth1,,eth2"});
  CHECK_FALSE(empty_port.config);
  CHECK_THAT(empty_port.message, Catch::Contains("--ports"));
  auto bracket = parse({"--token-file", token.path, "--ports", "eth[12"});
  CHECK_FALSE(bracket.config);
  auto host = parse({"--token-file", token.path, "--ports", "eth1", "--host-id", "has space"});
  CHECK_FALSE(host.config);
  CHECK_THAT(host.message, Catch::Contains("--host-id"));
  auto cap = parse({"--token-file", token.path, "--ports", "eth1", "--journal-capacity", "3"});
  CHECK_FALSE(cap.config);
  CHECK(cap.exit_code == 2);
  auto unknown = parse({"--token-file", token.path, "--ports", "eth1", "--frobnicate"});
  CHECK_FALSE(unknown.config);
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("agent --help explains every flag and exits 0", "[agent][config]") {
  auto help = parse({"--help"});
  CHECK_FALSE(help.config);
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--listen", "--token-file", "--insecure-no-auth", "--ports", "--host-id", "--log-level",
                           "--journal-capacity", "--tls-cert", "--tls-key", "--tls-client-ca"}) {
    CHECK_THAT(help.message, Catch::Contains(flag));
  }
  CHECK_THAT(help.message, Catch::Contains("glob"));
}

// The packaged unit passes --refuse-wildcard-listen with MIXNET_AGENT_LISTEN from
// /etc/default/mixnet-agent: unset (empty) or any spelling of "every address" stops the agent
// with a message that says what to set where; one address of the host starts it.
TEST_CASE("listen addresses with --refuse-wildcard-listen: one address of the host only", "[agent][config]") {
  TokenFile token("t");
  const auto with_listen = [&](const std::string& listen) {
    return parse({"--refuse-wildcard-listen", "--listen", listen, "--token-file", token.path, "--ports", "eth1"});
  };
  for (const std::string refused : {"", ":7470", "0.0.0.0:7470", "[::]:7470", "[0:0::0]:7470", "[::"}) {
    INFO("listen '" << refused << "'");
    const auto cl = with_listen(refused);
    CHECK_FALSE(cl.config);
    CHECK(cl.exit_code == 2);
    CHECK_THAT(cl.message, Catch::StartsWith("mixnet-agent: --listen: ") &&
                               Catch::Contains("MIXNET_AGENT_LISTEN in /etc/default/mixnet-agent"));
  }
  for (const std::string accepted : {"10.0.0.11:7470", "127.0.0.1:7470", "[fd00::11]:7470"}) {
    INFO("listen '" << accepted << "'");
    const auto cl = with_listen(accepted);
    REQUIRE(cl.config);
    CHECK(cl.config->refuse_wildcard_listen);
    CHECK(cl.config->listen == accepted);
  }
  // Without the flag, every address stays possible (the lab and the tests listen on all).
  const auto open = parse({"--listen", ":7470", "--token-file", token.path, "--ports", "eth1"});
  REQUIRE(open.config);
  CHECK_FALSE(open.config->refuse_wildcard_listen);
  CHECK(require_one_listen_address("0.0.0.0:1").error().field == "listen");
}

// Host ids are 1..64 printable ASCII bytes; empty, longer, control and non-ASCII bytes are refused.
TEST_CASE("host ids", "[agent][config]") {
  CHECK(validate_host_id("a").has_value());
  CHECK(validate_host_id(std::string(64, 'h')).has_value());
  CHECK_FALSE(validate_host_id(std::string(65, 'h')));
  CHECK_FALSE(validate_host_id(""));
  CHECK_FALSE(validate_host_id("h\x01"));
  CHECK_FALSE(validate_host_id("h\xc3\xa9"));
}

TEST_CASE("carrier polling (--carrier-poll-us): 0 (off, the default) or 50..1000000 microseconds", "[agent][config]") {
  TokenFile token("t\n");
  const auto with = [&](const std::string& value) {
    return parse({"--token-file", token.path, "--ports", "eth1", "--carrier-poll-us", value});
  };
  auto plain = parse({"--token-file", token.path, "--ports", "eth1"});
  REQUIRE(plain.config);
  CHECK(plain.config->carrier_poll_us == 0u);
  for (const auto& [value, expect] : std::vector<std::pair<std::string, std::uint32_t>>{
           {"0", 0u}, {"50", 50u}, {"100", 100u}, {"1000000", 1'000'000u}}) {
    INFO("--carrier-poll-us " << value);
    auto cl = with(value);
    REQUIRE(cl.config);
    CHECK(cl.config->carrier_poll_us == expect);
  }
  for (const std::string value : {"1", "49", "1000001", "4294967296", "-1", "-50", "abc", "100us", "", "1e3", "0x40", "+60", " 60"}) {
    INFO("--carrier-poll-us '" << value << "'");
    auto cl = with(value);
    CHECK_FALSE(cl.config);
    CHECK(cl.exit_code == 2);
    CHECK_THAT(cl.message, Catch::Contains("--carrier-poll-us"));
  }
  auto help = parse({"--help"});
  CHECK_THAT(help.message, Catch::Contains("--carrier-poll-us"));
}

TEST_CASE("stamping threads' priority (--stamp-priority): SCHED_FIFO 10 by default, 0 (off) or 1..99", "[agent][config]") {
  TokenFile token("t\n");
  const auto with = [&](const std::string& value) {
    return parse({"--token-file", token.path, "--ports", "eth1", "--stamp-priority", value});
  };
  auto plain = parse({"--token-file", token.path, "--ports", "eth1"});
  REQUIRE(plain.config);
  CHECK(plain.config->stamp_priority == 10);
  for (const int value : {0, 1, 50, 99}) {
    INFO("--stamp-priority " << value);
    auto cl = with(std::to_string(value));
    REQUIRE(cl.config);
    CHECK(cl.config->stamp_priority == value);
  }
  for (const std::string value : {"-1", "100", "abc", ""}) {
    INFO("--stamp-priority '" << value << "'");
    auto cl = with(value);
    CHECK_FALSE(cl.config);
    CHECK(cl.exit_code == 2);
    CHECK_THAT(cl.message, Catch::Contains("--stamp-priority"));
  }
  auto help = parse({"--help"});
  CHECK_THAT(help.message, Catch::Contains("--stamp-priority"));
}

// HTTPS flags travel as file names (the files are read at start: common/http/tls_server_context);
// what can be told from the command line alone is told here, naming the flag.
TEST_CASE("TLS flags: certificate and key together, a client CA only with them", "[agent][config][tls]") {
  TokenFile token("t");
  const auto with = [&](std::vector<std::string> tls) {
    std::vector<std::string> args{"--token-file", token.path, "--ports", "eth1"};
    args.insert(args.end(), tls.begin(), tls.end());
    return parse(args);
  };
  const auto plain = with({});
  REQUIRE(plain.config);
  CHECK(plain.config->tls_cert_file.empty());

  const auto full = with({"--tls-cert", "/etc/mixnet/agent.crt", "--tls-key", "/etc/mixnet/agent.key",
                          "--tls-client-ca", "/etc/mixnet/clients-ca.crt"});
  REQUIRE(full.config);
  CHECK(full.config->tls_cert_file == "/etc/mixnet/agent.crt");
  CHECK(full.config->tls_key_file == "/etc/mixnet/agent.key");
  CHECK(full.config->tls_client_ca_file == "/etc/mixnet/clients-ca.crt");

  const auto no_key = with({"--tls-cert", "/etc/mixnet/agent.crt"});
  CHECK_FALSE(no_key.config);
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.message.find("--tls-key") != std::string::npos);

  const auto no_cert = with({"--tls-key", "/etc/mixnet/agent.key"});
  CHECK_FALSE(no_cert.config);
  CHECK(no_cert.message.rfind("mixnet-agent: --tls-cert:", 0) == 0);

  const auto ca_alone = with({"--tls-client-ca", "/etc/mixnet/clients-ca.crt"});
  CHECK_FALSE(ca_alone.config);
  CHECK(ca_alone.exit_code == 2);
  CHECK(ca_alone.message.rfind("mixnet-agent: --tls-client-ca:", 0) == 0);
}
