#include "common/result.hpp"

#include <cstring>

namespace mixnet {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::unauthorized: return "unauthorized";
    case Errc::payload_too_large: return "payload_too_large";
    case Errc::timeout: return "timeout";
    case Errc::io: return "io";
    case Errc::unavailable: return "unavailable";
    case Errc::protocol: return "protocol";
    case Errc::denied: return "denied";
    case Errc::insecure_file: return "insecure_file";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

Error Error::context(std::string_view what) const {
  Error e = *this;
  e.message = std::string(what) + ": " + message;
  return e;
}

std::string Error::describe() const {
  std::string s(to_string(code));
  s += ": ";
  if (!field.empty() && message.find(field) == std::string::npos) {
    s += field;
    s += ": ";
  }
  s += message;
  return s;
}

std::unexpected<Error> fail(Errc code, std::string message, std::string field) {
  return std::unexpected(Error{code, std::move(message), std::move(field)});
}

std::unexpected<Error> fail(Errc code, Cause cause, std::string message, std::string field) {
  return std::unexpected(Error{code, std::move(message), std::move(field), cause});
}

std::unexpected<Error> fail_errno(std::string_view what, int err) {
  char buf[256];
  // GNU strerror_r returns the message (maybe not in buf).
  const char* msg = strerror_r(err, buf, sizeof buf);
  Errc code = Errc::io;
  if (err == EINVAL || err == ERANGE) code = Errc::invalid_argument;
  else if (err == ENODEV || err == ENOENT || err == EADDRNOTAVAIL) code = Errc::not_found;
  else if (err == EEXIST || err == EBUSY || err == EADDRINUSE) code = Errc::conflict;
  else if (err == EPERM || err == EACCES) code = Errc::denied;
  else if (err == ETIMEDOUT) code = Errc::timeout;
  return std::unexpected(Error{code, std::string(what) + ": " + msg, {}});
}

}  // namespace mixnet
