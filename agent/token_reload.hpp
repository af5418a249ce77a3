#pragma once
// Token rotation without a restart: on SIGHUP the agent re-reads its token file (the same strict
// reader and mode rule as at start-up) and, if the file is good, requires the new token from the
// next request on. A bad file (missing, open to group/others, not one word) keeps the current
// token and logs why, so a botched rotation never locks the coordinator out.
#include <utility>  // Boost 1.74 + GCC 12: before Asio's headers.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <string>

#include "common/http/server.hpp"

namespace mixnet::agent {

class TokenReloader {
 public:
  // Starts listening for SIGHUP on `io`; the server's token is replaced on the io thread.
  TokenReloader(boost::asio::io_context& io, http::Server& server, std::string token_file);
  TokenReloader(const TokenReloader&) = delete;
  TokenReloader& operator=(const TokenReloader&) = delete;

 private:
  void wait();
  void reload();

  boost::asio::signal_set signals_;
  http::Server& server_;
  std::string token_file_;
};

}  // namespace mixnet::agent
