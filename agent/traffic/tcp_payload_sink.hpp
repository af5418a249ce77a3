#pragma once
// Where a TCP server's received payload goes (wire::TcpSink). discard: recv with MSG_TRUNC, so TCP
// counts the bytes and frees them in the kernel and nothing reaches user space; copy: plain recv
// into a 128 KiB user-space buffer, so the receiving host pays for the copy as iperf3's receiver
// (and any application) does. The server's connection threads read through one of these each.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <sys/types.h>

#include "agent/traffic/tcp_engine.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

// Bytes per recv() in copy mode: iperf3's default TCP read, so a comparison is of equal work.
// (Discard mode frees up to kTcpChunkBytes per call.)
inline constexpr std::size_t kTcpCopyReadBytes = 128 * 1024;

class TcpPayloadSink {
 public:
  explicit TcpPayloadSink(wire::TcpSink mode);

  // One recv() on fd: the bytes TCP delivered (> 0), 0 at the end of the stream, -1 with errno.
  ssize_t receive(int fd);
  // The bytes the last receive() copied to user space: all of them in copy mode, none in discard.
  [[nodiscard]] std::span<const std::uint8_t> last_copied() const { return {buffer_.get(), copied_}; }
  // The whole user-space buffer, zeroed at construction: in discard mode it stays zero.
  [[nodiscard]] std::span<const std::uint8_t> buffer() const { return {buffer_.get(), size_}; }
  [[nodiscard]] wire::TcpSink mode() const { return mode_; }

 private:
  wire::TcpSink mode_;
  std::size_t size_;
  std::unique_ptr<std::uint8_t[]> buffer_;
  std::size_t copied_ = 0;
};

}  // namespace mixnet::agent::traffic
