#include "agent/agent_config.hpp"

#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <charconv>
#include <cstdint>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "agent/port_filter.hpp"
#include "common/cli_conventions.hpp"
#include "common/token_file.hpp"

namespace mixnet::agent {

namespace {

std::string default_host_id() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

Result<std::string> validate_host_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return fail(Errc::invalid_argument, "must be 1..64 bytes", "host-id");
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return fail(Errc::invalid_argument, "must be printable ASCII without whitespace", "host-id");
    }
  }
  return std::string(id);
}

Result<void> require_one_listen_address(std::string_view listen) {
  // Where the packaged service is configured, so the message says what to set and where.
  constexpr std::string_view kWhere = "set MIXNET_AGENT_LISTEN in /etc/default/mixnet-agent to this host's "
                                      "management address, e.g. 10.0.0.11:7470";
  if (listen.empty()) return fail(Errc::invalid_argument, std::string("no address given: ") + std::string(kWhere), "listen");
  std::string host;
  if (listen.front() == '[') {
    host = listen.substr(1, std::min(listen.find(']'), listen.size()) - 1);
  } else {
    host = listen.substr(0, std::min(listen.rfind(':'), listen.size()));
  }
  const auto every_address = [&] {
    return fail(Errc::invalid_argument,
                "'" + std::string(listen) + "' listens on every address of this host, the API with it: " +
                    std::string(kWhere),
                "listen");
  };
  if (host.empty()) return every_address();
  std::array<unsigned char, 16> bytes{};
  const bool v4 = ::inet_pton(AF_INET, host.c_str(), bytes.data()) == 1;
  const bool v6 = !v4 && ::inet_pton(AF_INET6, host.c_str(), bytes.data()) == 1;
  if ((v4 || v6) && std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; })) {
    return every_address();
  }
  return {};
}

CommandLine parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"mixnet-agent: the per-host agent of the MixNet testbed. Serves an authenticated HTTP/JSON API\n"
               "(see docs/agent-api.md) for NIC inventory, port configuration, a link-event journal and\n"
               "identity probes on the netdevs it manages.",
               "mixnet-agent"};
  apply_cli_conventions(app, "mixnet-agent");
  AgentConfig cfg;
  std::string ports;
  std::string host_id;
  app.add_option("--listen", cfg.listen,
                 "Address and TCP port of the API, ADDR:PORT, [IPv6]:PORT or :PORT for all addresses")
      ->capture_default_str();
  app.add_flag("--refuse-wildcard-listen", cfg.refuse_wildcard_listen,
               "Refuse to start unless --listen names one address of this host (not empty, ':PORT',\n"
               "0.0.0.0 or ::); the packaged systemd unit sets it, so a host never serves the API on\n"
               "every network before its management address is configured");
  app.add_option("--token-file", cfg.token_file,
                 "File holding the bearer token every request (except /v1/health) must carry as\n"
                 "'Authorization: Bearer <token>'; keep it mode 600. Required unless --insecure-no-auth");
  app.add_flag("--insecure-no-auth", cfg.insecure_no_auth,
               "Serve the API without any authentication (tests and demos only: anyone who can reach\n"
               "the port can reconfigure the managed NICs)");
  app.add_option("--tls-cert", cfg.tls_cert_file,
                 "PEM file with the API's TLS certificate (then any intermediates): serve HTTPS instead of\n"
                 "HTTP, so the bearer token never crosses the network in clear. Needs --tls-key");
  app.add_option("--tls-key", cfg.tls_key_file,
                 "PEM file with the private key of --tls-cert; must be mode 600 or stricter");
  app.add_option("--tls-client-ca", cfg.tls_client_ca_file,
                 "PEM CA bundle: with it, only clients presenting a certificate this CA signed may connect\n"
                 "(mutual TLS). Needs --tls-cert");
  app.add_option("--ports", ports,
                 "Comma-separated netdev names or shell globs the agent manages, e.g. 'ens1f0,ens2*';\n"
                 "every other interface is invisible to the API")
      ->required();
  app.add_option("--host-id", host_id, "Name this host reports in the API and in identity probes (default: hostname)");
  app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str();
  app.add_option("--journal-capacity", cfg.journal_capacity,
                 "Link events the journal keeps; older ones are dropped and readers told how many they missed")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{16}, std::size_t{1'000'000}));
  app.add_option("--carrier-poll-us", cfg.carrier_poll_us,
                 "Also read each managed port's carrier bit this often (microseconds; 0: off) and journal a carrier "
                 "change at the earlier of that reading and netlink's announcement, which the kernel can delay by "
                 "milliseconds on a busy host. Reads only while a measurement arms it (POST /v1/carrier/poll, as "
                 "measure.reconfig does): two reads per armed port per period, none while idle")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{0}, std::uint32_t{1'000'000}) & CLI::Validator(
                  [](const std::string& v) {
                    // Runs next to CLI::Range (both always run): must not throw on text, and must
                    // not let through what Range reads as a number but is not decimal ("0x20").
                    std::uint32_t n = 0;
                    const char* end = v.data() + v.size();
                    const auto [ptr, ec] = std::from_chars(v.data(), end, n);
                    if (ec != std::errc() || ptr != end) return std::string("a decimal number of microseconds");
                    return n == 0 || n >= 50 ? std::string() : std::string("0 (off) or at least 50");
                  },
                  "0 or 50..1000000"));
  app.add_option("--stamp-priority", cfg.stamp_priority,
                 "SCHED_FIFO priority the threads that timestamp events take (carrier poller, netlink reader and "
                 "probe receiver, which also serves the API), so a busy host does not make their stamps late; 0: "
                 "normal priority. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= N, else logged and run at normal priority. "
                 "Traffic threads always run at normal priority")
      ->capture_default_str()
      ->check(CLI::Range(0, kMaxStampPriority));

  CommandLine out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.message = app.help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.message = app.help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::CallForVersion&) {
    out.message = version_line("mixnet-agent") + "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    out.exit_code = 2;
    out.message = std::string("mixnet-agent: ") + e.what() + "\nRun with --help for more information.\n";
    return out;
  }

  const auto error = [&](const Error& e) {
    CommandLine bad;
    bad.exit_code = 2;
    bad.message = "mixnet-agent: --" + e.field + ": " + e.message + "\n";
    return bad;
  };

  if (cfg.refuse_wildcard_listen) {
    if (auto one = require_one_listen_address(cfg.listen); !one) return error(one.error());
  }

  if (cfg.tls_cert_file.empty() != cfg.tls_key_file.empty()) {
    return error(Error{Errc::invalid_argument, "--tls-cert and --tls-key go together",
                       cfg.tls_cert_file.empty() ? "tls-cert" : "tls-key"});
  }
  if (!cfg.tls_client_ca_file.empty() && cfg.tls_cert_file.empty()) {
    return error(Error{Errc::invalid_argument, "mutual TLS needs the server's own --tls-cert and --tls-key",
                       "tls-client-ca"});
  }

  auto patterns = parse_port_list(ports);
  if (!patterns) return error(patterns.error());
  cfg.port_patterns = std::move(*patterns);

  auto id = validate_host_id(host_id.empty() ? default_host_id() : host_id);
  if (!id) return error(id.error());
  cfg.host_id = std::move(*id);

  if (cfg.insecure_no_auth && !cfg.token_file.empty()) {
    return error(Error{Errc::invalid_argument, "--token-file and --insecure-no-auth exclude each other", "token-file"});
  }
  if (!cfg.insecure_no_auth) {
    if (cfg.token_file.empty()) {
      return error(Error{Errc::invalid_argument,
                         "required (or pass --insecure-no-auth explicitly to run without authentication)",
                         "token-file"});
    }
    auto token = read_token_file(cfg.token_file, "token-file");
    if (!token) return error(token.error());
    cfg.token = std::move(token->token);
  } else {
    cfg.warnings.push_back("--insecure-no-auth: the API accepts requests without a token");
  }
  out.config = std::move(cfg);
  return out;
}

}  // namespace mixnet::agent
