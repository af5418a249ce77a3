#pragma once
// A switch named by a URI: "polatis-tl1://admin@192.0.2.5:3082",
// "polatis-rest://admin:secret@[2001:db8::5]:8008", "calient-tl1://admin@sw?password-file=pw".
// Parsing is separate from opening, so the CLI can check a URI without touching the network.
#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mixnet::ocs {

enum class SwitchProtocol { polatis_tl1, polatis_rest, calient_tl1 };
std::string_view to_string(SwitchProtocol p);   // the URI scheme

struct SwitchUri {
  SwitchProtocol protocol = SwitchProtocol::polatis_tl1;
  std::string user = "admin";
  std::string password = "root";   // the vendors' factory default when the URI names none
  std::string host;
  unsigned short port = 0;         // the protocol's default when the URI names none
  // Query options (all optional):
  //   password-file=PATH   the password is the file's first line (a relative PATH is relative to
  //                        the working directory)
  //   timeout-ms=N         deadline of each command / request (default 10000)
  //   connect-timeout-ms=N deadline of connecting and logging in (default 5000)
  //   keepalive-s=N        TL1: send a cheap command after N idle seconds (default 60, 0 = off)
  //   group=NAME           Calient: the group new connections go into (default "G1")
  //   ca-file=PATH         polatis-rest only: speak HTTPS and verify the switch's certificate
  //                        against this CA bundle (PEM); without it, plain HTTP. Verification is
  //                        never turned off.
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::seconds keepalive{60};
  std::string group = "G1";
  std::string ca_file;             // polatis-rest: HTTPS verified against it; empty: plain HTTP

  [[nodiscard]] std::string describe() const;   // the URI without its password
};

unsigned short default_port(SwitchProtocol p);   // 3082, 8008, 3083

// Errors are Errc::invalid_argument with field naming the bad part: "scheme", "user",
// "password", "host", "port", "password-file", or the query option's name; a password file that
// group or others may read is Errc::insecure_file (field "password-file", naming file and mode).
Result<SwitchUri> parse_switch_uri(std::string_view uri);

}  // namespace mixnet::ocs
