#include "agent/traffic/tcp_payload_sink.hpp"

#include <sys/socket.h>

namespace mixnet::agent::traffic {

// Discard mode still hands recv() a buffer: MSG_TRUNC on TCP never writes to it, but a buffer of
// the full length keeps the call valid if a kernel ever did.
TcpPayloadSink::TcpPayloadSink(wire::TcpSink mode)
    : mode_(mode),
      size_(mode == wire::TcpSink::copy ? kTcpCopyReadBytes : kTcpChunkBytes),
      buffer_(new std::uint8_t[size_]()) {}

ssize_t TcpPayloadSink::receive(int fd) {
  copied_ = 0;
  if (mode_ == wire::TcpSink::discard) return ::recv(fd, buffer_.get(), size_, MSG_TRUNC);
  const ssize_t n = ::recv(fd, buffer_.get(), size_, 0);
  if (n > 0) copied_ = static_cast<std::size_t>(n);
  return n;
}

}  // namespace mixnet::agent::traffic
