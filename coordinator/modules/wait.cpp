#include "coordinator/modules/wait.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/json_keys.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"
#include "coordinator/playbook/expr.hpp"

namespace mixnet::coord {
namespace {

constexpr double kDefaultIntervalS = 0.1;

Result<double> seconds_arg(const nlohmann::json& args, const char* key, double low, double high) {
  const auto& v = args.at(key);
  if (!v.is_number()) return fail(Errc::invalid_argument, fmt::format("expected a number of seconds, got {}", v.dump()), key);
  const double s = v.get<double>();
  if (std::isnan(s) || s < low || s > high) return fail(Errc::invalid_argument, fmt::format("{} s is outside {}..{}", s, low, high), key);
  return s;
}

Result<void> check(const nlohmann::json& args, bool values_known) {
  if (!args.is_object()) return fail(Errc::invalid_argument, "arguments are a mapping");
  if (auto ok = json_keys::only_keys(args, {"seconds", "until", "interval", "timeout"}, {}, "argument"); !ok) return ok;
  const bool has_seconds = args.contains("seconds");
  const bool has_until = args.contains("until");
  if (has_seconds == has_until) return fail(Errc::invalid_argument, "give exactly one of seconds or until", has_seconds ? "until" : "seconds");
  if (!values_known) return {};
  if (has_seconds) {
    if (auto s = seconds_arg(args, "seconds", 0, 86400); !s) return std::unexpected(s.error());
  } else {
    if (!args["until"].is_string()) return fail(Errc::invalid_argument, "expected an expression", "until");
    if (auto e = Expression::parse(args["until"].get<std::string>()); !e) return fail(Errc::invalid_argument, e.error().message, "until");
  }
  if (args.contains("interval")) {
    if (auto s = seconds_arg(args, "interval", 0.001, 3600); !s) return std::unexpected(s.error());
  }
  if (args.contains("timeout")) {
    if (auto s = seconds_arg(args, "timeout", 0, 7 * 86400); !s) return std::unexpected(s.error());
  }
  return {};
}

}  // namespace

Result<void> WaitModule::validate(const nlohmann::json& args, const ValidationContext&) const {
  return check(args, !is_templated(args));
}

StepResult WaitModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = check(args, true); !ok) return StepResult::failure(fmt::format("{}: {}", ok.error().field, ok.error().message));
  StepResult result;
  if (args.contains("seconds")) {
    const double seconds = args["seconds"].get<double>();
    if (ctx.check_mode) {
      result.message = fmt::format("would wait {} s", seconds);
      return result;
    }
    const auto start = monotonic_ns();
    if (sleep_until(start + static_cast<std::int64_t>(seconds * 1e9), ctx.cancel, ctx.deadline_ns) != SleepEnd::elapsed) {
      return StepResult::failure(ctx.cancel.load() ? "interrupted" : fmt::format("the step's timeout came before {} s had passed", seconds));
    }
    result.message = fmt::format("waited {} s", seconds);
    result.data = {{"waited_s", static_cast<double>(monotonic_ns() - start) / 1e9}};
    return result;
  }
  auto condition = Expression::parse(args["until"].get<std::string>());
  if (!condition) return StepResult::failure("until: " + condition.error().message);
  const double interval = args.value("interval", kDefaultIntervalS);
  const auto start = monotonic_ns();
  const auto deadline = args.contains("timeout") ? std::min(ctx.deadline_ns, start + static_cast<std::int64_t>(args["timeout"].get<double>() * 1e9))
                                                 : ctx.deadline_ns;
  if (ctx.check_mode) {
    result.message = fmt::format("would wait until {}", condition->text());
    return result;
  }
  // The scope is re-read each time: `elapsed_s` is the seconds since the wait began.
  for (int checks = 1;; ++checks) {
    auto scope = ctx.vars();
    const double elapsed = static_cast<double>(monotonic_ns() - start) / 1e9;
    scope["elapsed_s"] = elapsed;
    auto holds = condition->test(scope);
    if (!holds) return StepResult::failure("until: " + holds.error().message);
    if (*holds) {
      result.message = fmt::format("'{}' held after {:.3f} s", condition->text(), elapsed);
      result.data = {{"waited_s", elapsed}, {"checks", checks}};
      return result;
    }
    const auto next = monotonic_ns() + static_cast<std::int64_t>(interval * 1e9);
    if (next > deadline) {
      return StepResult::failure(fmt::format("'{}' did not hold within {:.3f} s", condition->text(), static_cast<double>(deadline - start) / 1e9));
    }
    if (sleep_until(next, ctx.cancel, ctx.deadline_ns) != SleepEnd::elapsed) return StepResult::failure(ctx.cancel.load() ? "interrupted" : "the step's timeout came first");
  }
}

}  // namespace mixnet::coord
