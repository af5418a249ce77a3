// Fuzzes identity-probe decoding: bytes straight off the wire of any managed port.
#include <cstddef>
#include <cstdint>
#include <span>

#include "hwdrivers/nic/probe_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto frame = mixnet::nic::decode_probe(std::span<const std::uint8_t>(data, size));
  if (frame) {
    // Whatever decodes must encode again to a frame that decodes to the same identity.
    auto bytes = mixnet::nic::encode_probe(*frame);
    if (!bytes) __builtin_trap();
    auto again = mixnet::nic::decode_probe(*bytes);
    if (!again || again->host_id != frame->host_id || again->port != frame->port || again->nonce != frame->nonce) {
      __builtin_trap();
    }
  }
  return 0;
}
