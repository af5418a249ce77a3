#include "agent/token_reload.hpp"

#include <csignal>
#include <spdlog/spdlog.h>

#include "common/token_file.hpp"

namespace mixnet::agent {

TokenReloader::TokenReloader(boost::asio::io_context& io, http::Server& server, std::string token_file)
    : signals_(io, SIGHUP), server_(server), token_file_(std::move(token_file)) {
  wait();
}

void TokenReloader::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;  // cancelled: the agent is stopping
    reload();
    wait();
  });
}

void TokenReloader::reload() {
  auto token = read_token_file(token_file_, "token-file");
  if (!token) {
    spdlog::error("SIGHUP: keeping the current token: {}", token.error().describe());
    return;
  }
  server_.set_bearer_token(std::move(token->token));
  spdlog::info("SIGHUP: token re-read from {}; requests now need the new one", token_file_);
}

}  // namespace mixnet::agent
