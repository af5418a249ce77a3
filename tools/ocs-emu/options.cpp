// Parsing and validation of the emulator's options (shared by the CLI, the control API and tests).
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "tools/ocs-emu/emulator_types.hpp"

namespace mixnet::ocs_emu {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(sep, start);
    out.push_back(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::optional<double> to_double(std::string_view s) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

Result<SwitchingTime> SwitchingTime::parse(std::string_view text) {
  const std::string field = "switching-time";
  const auto parts = split(text, ':');
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_argument,
                why + " (expected MS, fixed:MS, uniform:MIN:MAX or normal:MEAN:STDDEV; got '" + std::string(text) + "')",
                field);
  };
  SwitchingTime t;
  if (parts.size() == 1) {
    const auto v = to_double(parts[0]);
    if (!v) return bad("not a number");
    t = fixed_ms(*v);
  } else if (parts[0] == "fixed" && parts.size() == 2) {
    const auto v = to_double(parts[1]);
    if (!v) return bad("not a number");
    t = fixed_ms(*v);
  } else if ((parts[0] == "uniform" || parts[0] == "normal") && parts.size() == 3) {
    const auto a = to_double(parts[1]);
    const auto b = to_double(parts[2]);
    if (!a || !b) return bad("not a number");
    t = SwitchingTime{parts[0] == "uniform" ? Kind::uniform : Kind::normal, *a, *b};
  } else {
    return bad("unknown form");
  }
  if (auto ok = t.validate(); !ok) return std::unexpected(ok.error());
  return t;
}

Result<void> SwitchingTime::validate() const {
  const std::string field = "switching-time";
  if (!std::isfinite(a_ms) || !std::isfinite(b_ms)) return fail(Errc::invalid_argument, "must be finite", field);
  if (a_ms < 0 || a_ms > 60'000) return fail(Errc::invalid_argument, "times must be 0..60000 ms", field);
  if (kind == Kind::uniform && (b_ms < a_ms || b_ms > 60'000)) {
    return fail(Errc::invalid_argument, "uniform needs MIN <= MAX <= 60000 ms", field);
  }
  if (kind == Kind::normal && (b_ms < 0 || b_ms > 60'000)) {
    return fail(Errc::invalid_argument, "normal needs a standard deviation of 0..60000 ms", field);
  }
  return {};
}

std::string SwitchingTime::describe() const {
  switch (kind) {
    case Kind::fixed: return fmt::format("fixed:{}", a_ms);
    case Kind::uniform: return fmt::format("uniform:{}:{}", a_ms, b_ms);
    case Kind::normal: return fmt::format("normal:{}:{}", a_ms, b_ms);
  }
  return "?";
}

std::string_view to_string(DropWhen when) {
  return when == DropWhen::before_apply ? "before-apply" : "after-apply";
}

Result<DropWhen> parse_drop_when(std::string_view text) {
  if (text == "before-apply" || text == "before_apply") return DropWhen::before_apply;
  if (text == "after-apply" || text == "after_apply") return DropWhen::after_apply;
  return fail(Errc::invalid_argument, "must be before-apply or after-apply, got '" + std::string(text) + "'", "when");
}

Result<DropSessionFault> DropSessionFault::parse(std::string_view text) {
  const auto parts = split(text, ':');
  if (parts.size() > 3) {
    return fail(Errc::invalid_argument, "expected WHEN[:VERB[:COUNT]], got '" + std::string(text) + "'", "drop-session");
  }
  DropSessionFault f;
  auto when = parse_drop_when(parts[0]);
  if (!when) return std::unexpected(when.error().context("drop-session"));
  f.when = *when;
  if (parts.size() >= 2) {
    f.verb = std::string(parts[1]);
    if (f.verb.size() > 32) return fail(Errc::invalid_argument, "verb is too long", "drop-session");
    for (char& c : f.verb) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!((c >= 'A' && c <= 'Z') || c == '-')) {
        return fail(Errc::invalid_argument, "verb must be letters and '-', got '" + std::string(parts[1]) + "'",
                    "drop-session");
      }
    }
  }
  if (parts.size() == 3) {
    int n = 0;
    const auto s = parts[2];
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size() || n < 1 || n > 1'000'000) {
      return fail(Errc::invalid_argument, "count must be 1..1000000, got '" + std::string(s) + "'", "drop-session");
    }
    f.count = n;
  }
  return f;
}

std::string_view to_string(PortStatus status) {
  switch (status) {
    case PortStatus::enabled: return "ENABLED";
    case PortStatus::disabled: return "DISABLED";
    case PortStatus::failed: return "FAILED";
  }
  return "?";
}

Result<void> EmulatorOptions::validate() const {
  if (inputs < 1 || inputs > kMaxPorts) {
    return fail(Errc::invalid_argument, fmt::format("must be 1..{}, got {}", kMaxPorts, inputs), "inputs");
  }
  if (mode == SwitchMode::nxm && (outputs < 1 || outputs > kMaxPorts)) {
    return fail(Errc::invalid_argument, fmt::format("must be 1..{}, got {}", kMaxPorts, outputs), "outputs");
  }
  if (mode == SwitchMode::any_to_any && inputs < 2) {
    return fail(Errc::invalid_argument, "an any-to-any switch needs at least 2 ports", "inputs");
  }
  if (!serve_tl1 && !serve_rest && !serve_calient) {
    return fail(Errc::invalid_argument, "nothing to serve: enable TL1, RESTCONF or Calient TL1", "serve");
  }
  if (user.empty() || user.size() > 64) return fail(Errc::invalid_argument, "must be 1..64 characters", "user");
  if (password.size() > 128) return fail(Errc::invalid_argument, "must be at most 128 characters", "password");
  for (char c : user + password) {
    if (c == ':' || c == ';' || c == ',' || static_cast<unsigned char>(c) < 0x20) {
      return fail(Errc::invalid_argument, "user and password must not contain ':', ';', ',' or control characters",
                  "user");
    }
  }
  if (auto ok = switching.validate(); !ok) return ok;
  if (reply_delay.count() < 0 || reply_delay.count() > 600'000) {
    return fail(Errc::invalid_argument, "must be 0..600000 ms", "reply-delay");
  }
  if (!std::isfinite(input_power_dbm) || input_power_dbm < kDarkDbm || input_power_dbm > 30.0) {
    return fail(Errc::invalid_argument, "must be -60..30 dBm", "input-power");
  }
  if (!std::isfinite(insertion_loss_db) || insertion_loss_db < 0.0 || insertion_loss_db > 60.0) {
    return fail(Errc::invalid_argument, "must be 0..60 dB", "insertion-loss");
  }
  if (!std::isfinite(loss_noise_db) || loss_noise_db < 0.0 || loss_noise_db > 10.0) {
    return fail(Errc::invalid_argument, "must be 0..10 dB", "loss-noise");
  }
  for (int p : failed_ports) {
    if (p < 1 || p > port_count()) {
      return fail(Errc::invalid_argument, fmt::format("port {} is out of range 1..{}", p, port_count()), "fail-port");
    }
  }
  for (const auto& [p, db] : weak_ports) {
    if (p < 1 || p > port_count()) {
      return fail(Errc::invalid_argument, fmt::format("port {} is out of range 1..{}", p, port_count()), "weak-port");
    }
    if (!std::isfinite(db) || db < 0.0 || db > 60.0) {
      return fail(Errc::invalid_argument, "extra loss must be 0..60 dB", "weak-port");
    }
  }
  if (drop_session && (drop_session->count < 1)) {
    return fail(Errc::invalid_argument, "count must be at least 1", "drop-session");
  }
  if (max_sessions < 1 || max_sessions > 10'000) return fail(Errc::invalid_argument, "must be 1..10000", "max-sessions");
  if (max_sessions_per_source < 1 || max_sessions_per_source > 10'000) {
    return fail(Errc::invalid_argument, "must be 1..10000", "max-sessions-per-source");
  }
  if (max_command_bytes < 64 || max_command_bytes > (16u << 20)) {
    return fail(Errc::invalid_argument, "must be 64..16777216", "max-command-bytes");
  }
  if (session_idle_timeout.count() <= 0 || write_timeout.count() <= 0 || login_timeout.count() <= 0) {
    return fail(Errc::invalid_argument, "timeouts must be positive", "timeout");
  }
  if (tid.size() > 20) return fail(Errc::invalid_argument, "must be at most 20 characters", "tid");
  return {};
}

}  // namespace mixnet::ocs_emu
