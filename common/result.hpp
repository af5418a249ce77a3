#pragma once
// The result type of every runtime operation: a value, or an Error that says what went wrong,
// where, and (when an input is to blame) which field. Exceptions are kept for start-up and
// configuration errors only.
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace mixnet {

enum class Errc {
  invalid_argument,   // bad input; Error::field names it
  not_found,
  conflict,           // the request clashes with current state (port in use, lease held)
  unauthorized,
  payload_too_large,
  timeout,            // a deadline passed
  io,                 // a system call or socket failed
  unavailable,        // the thing exists but cannot serve now (no RDMA device, peer down)
  protocol,           // the peer spoke something we could not understand
  denied,             // the peer understood and refused (TL1 DENY, HTTP 4xx from a switch)
  insecure_file,      // a secret's file (token, key) is open to group or others: refused, chmod 600
  internal,
};

std::string_view to_string(Errc code);

// Finer than Errc, for the few failures a caller handles differently from others of the same
// code. In-process only: other programs see the code (the wire, exit statuses, describe()).
enum class Cause {
  unspecified,
  http_status,        // an HTTP peer was reached and answered with an error status
  tl1_login_lost,     // TL1 "DENY PLNA": the switch forgot our login; the command was not run
  netlink_overrun,    // the kernel dropped netlink messages (buffer overrun, truncated message)
  cabling_unmapped,   // the inventory puts ports on an OCS without saying on which switch ports
                      // (`ocs: {switch: S}` alone) and the command needs to know
                      // (coordinator/model/unmapped_cabling.hpp)
};

struct Error {
  Errc code = Errc::internal;
  std::string message;
  std::string field;  // the offending input field, empty when no single field is to blame
  Cause cause = Cause::unspecified;

  // Prefixes the message with what we were doing, so errors read like a call chain:
  // "configure eth1: set MTU 70000: Invalid argument".
  [[nodiscard]] Error context(std::string_view what) const;
  [[nodiscard]] std::string describe() const;  // "invalid_argument: mtu: must be 68..65535"
};

// std::expected<T, Error> that must be looked at. libstdc++ 12's std::expected is not
// [[nodiscard]], so a dropped result would compile silently; this class is. It adds nothing else:
// every constructor and member is std::expected's, and the constructor from std::expected takes
// back what the monadic operations (and_then, transform, ...) return. A result ignored on purpose
// is cast to void with a comment that says why.
template <class T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result() = default;
  Result(std::expected<T, Error> e) : std::expected<T, Error>(std::move(e)) {}  // NOLINT(google-explicit-constructor)
};

[[nodiscard]] std::unexpected<Error> fail(Errc code, std::string message, std::string field = {});
// The same, for one of the failures a caller tells apart by its Cause.
[[nodiscard]] std::unexpected<Error> fail(Errc code, Cause cause, std::string message, std::string field = {});

// A failed system call as an Error: "<what>: <strerror(err)>".
[[nodiscard]] std::unexpected<Error> fail_errno(std::string_view what, int err);

}  // namespace mixnet
