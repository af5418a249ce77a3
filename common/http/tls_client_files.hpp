#pragma once
// What an HTTPS client of ours checks a server against and presents to it: the files, as the
// inventory or a tool's flags name them. Plain strings so that headers without libcurl can carry
// them; curl::Easy::set_tls (common/http/curl.hpp) hands them to libcurl.
#include <string>

namespace mixnet {

struct TlsClientFiles {
  // The CA bundle (PEM) the server's certificate must chain to; empty: the system's trust store.
  // Verification of the chain and of the URL's host is never turned off.
  std::string ca_file;
  // A client certificate and its key (PEM), for servers that demand one (mutual TLS); both or
  // neither.
  std::string cert_file;
  std::string key_file;
};

}  // namespace mixnet
