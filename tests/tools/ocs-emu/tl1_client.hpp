#pragma once
// A blocking TL1 client for the emulator's tests: a raw TCP socket, the TL1 codec's ReplyFramer,
// and a deadline on every read and write. Failures throw (a test failure with context).
#include <chrono>
#include <string>

#include "hwdrivers/ocs/tl1_codec.hpp"

namespace mixnet::testing {

class Tl1Client {
 public:
  explicit Tl1Client(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Tl1Client();
  Tl1Client(const Tl1Client&) = delete;
  Tl1Client& operator=(const Tl1Client&) = delete;

  void send(const std::string& bytes);
  // The next whole reply; throws on timeout, a closed connection or a malformed reply.
  ocs::tl1::Reply read_reply();
  // Sends a command and reads its reply.
  ocs::tl1::Reply command(const std::string& text);
  // ACT-USER with the given credentials; throws unless COMPLD.
  void login(const std::string& user = "admin", const std::string& password = "root");
  // True when the peer closed the connection (reads EOF or a reset) within the timeout.
  bool closed_by_peer();

 private:
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  ocs::tl1::ReplyFramer framer_;
};

}  // namespace mixnet::testing
