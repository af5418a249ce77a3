#pragma once
// Polatis over RESTCONF (HTTP, default port 8008, base path /api, Basic auth, YANG module
// optical-switch, JSON). libcurl with one reused handle (keep-alive), a deadline on every request.
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"

namespace mixnet::ocs {

struct HttpResult {
  long status = 0;
  std::string body;
  std::int64_t sent_ns = 0;
  std::int64_t acked_ns = 0;
};

class PolatisRestSwitch final : public OpticalSwitch {
 public:
  explicit PolatisRestSwitch(const SwitchUri& uri);
  ~PolatisRestSwitch() override;
  Result<Timed<SwitchInfo>> info() override;
  Result<Timed<std::vector<CrossConnect>>> list() override;
  Result<Timed<Done>> apply(const ChangeSet& changes) override;
  Result<Timed<std::vector<PortState>>> port_status(const std::vector<PortId>& ports) override;
  Result<Timed<std::vector<PortPower>>> power(const std::vector<PortId>& ports) override;
  Result<Timed<Done>> set_port_enabled(const PortId& port, bool enabled) override;

 private:
  // One HTTP exchange. Transport failures are Errc::io / timeout / unavailable; any HTTP status
  // comes back as a value (the caller maps it with check()).
  Result<HttpResult> request(const char* method, const std::string& path, const std::string& body);
  // Several bodiless requests at once (curl multi, one connection each, kept for the next call).
  std::vector<Result<HttpResult>> request_parallel(const char* method, const std::vector<std::string>& paths);
  // request() plus: a transport failure on a read-only request is retried once (noted in `timing`
  // as a recovery, the lost request's send kept as the start); 4xx/5xx become errors carrying the
  // RESTCONF error message.
  Result<HttpResult> call(const char* method, const std::string& path, const std::string& body, bool idempotent,
                          Timing* timing = nullptr);
  Result<std::vector<CrossConnect>> list_locked(Timing* timing);

  SwitchUri uri_;
  std::string base_;
  std::mutex mutex_;
  struct Connections;                  // the libcurl handles, kept out of this header
  std::unique_ptr<Connections> http_;
  // After request() or request_parallel() failed in transport: when the lost request began to
  // leave us (some of its bytes went out, so the switch may have run it), or 0 when none did.
  std::int64_t unanswered_sent_ns_ = 0;
};

// RESTCONF bodies (exposed for the unit tests). Both "pair" and the older "pairs" are accepted,
// with or without the "optical-switch:" prefix.
Result<std::vector<CrossConnect>> parse_rest_cross_connects(const nlohmann::json& body);
// An HTTP error as an Error: 401/403 unauthorized, 404 not_found, 409 conflict, other 4xx denied,
// 5xx unavailable; the message holds the RESTCONF error-tag and error-message when there is one.
Error rest_error(long status, const std::string& body, const std::string& what);

}  // namespace mixnet::ocs
