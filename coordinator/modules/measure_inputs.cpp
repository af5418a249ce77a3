#include "coordinator/modules/measure_inputs.hpp"

#include <algorithm>
#include <optional>

#include "coordinator/agents/agent_pool.hpp"   // read_token_file
#include "coordinator/agents/http_multi.hpp"

namespace mixnet::coord {

namespace {
// Bounds on paging: a ground-truth log larger than this in one window is not a
// measurement we can trust anyway.
constexpr int kMaxPages = 200;
constexpr std::uint64_t kPage = 1000;
}  // namespace

Result<TruthReader> TruthReader::open(const GroundTruth& where) {
  TruthReader r;
  r.url_ = where.url;
  if (!where.token_file.empty()) {
    auto token = read_token_file(where.token_file);
    if (!token) return fail(Errc::invalid_argument, token.error().message, "ground_truth.token_file");
    r.token_ = *token;
  }
  return r;
}

Result<nlohmann::json> TruthReader::get(const std::string& target, std::int64_t deadline_ns) const {
  HttpMulti http;
  HttpRequest req;
  req.url = url_ + target;
  req.bearer_token = token_;
  req.max_attempts = 3;
  req.idempotent = true;
  req.deadline_ns = deadline_ns;
  std::optional<HttpOutcome> got;
  http.submit(req, [&](HttpOutcome o) { got = std::move(o); });
  http.run(deadline_ns);
  if (!got) return fail(Errc::timeout, "GET " + req.url + ": no answer by the deadline");
  if (!*got) return std::unexpected(got->error());
  if ((*got)->status != 200) {
    return fail(Errc::io, "GET " + req.url + ": HTTP " + std::to_string((*got)->status) + ": " + (*got)->body.substr(0, 200));
  }
  try {
    return nlohmann::json::parse((*got)->body);
  } catch (const std::exception& e) {
    return fail(Errc::protocol, "GET " + req.url + ": not JSON: " + e.what());
  }
}

Result<void> TruthReader::mark(std::int64_t deadline_ns) {
  auto changes = get("/v1/changes?after=0&limit=1", deadline_ns);
  if (!changes) return std::unexpected(changes.error().context("ground truth"));
  auto plane = get("/v1/plane", deadline_ns);
  if (!plane) return std::unexpected(plane.error().context("ground truth"));
  try {
    changes_after_ = changes->at("last_id").get<std::uint64_t>();
    events_after_ = plane->at("last_seq").get<std::uint64_t>();
  } catch (const std::exception& e) {
    return fail(Errc::protocol, std::string("ground truth: last_id / last_seq: ") + e.what());
  }
  return {};
}

Result<std::pair<nlohmann::json, nlohmann::json>> TruthReader::read(std::int64_t deadline_ns) {
  nlohmann::json changes = nlohmann::json::array(), events = nlohmann::json::array();
  try {
    for (int page = 0;; ++page) {
      if (page >= kMaxPages) return fail(Errc::io, "ground truth: too many changes in the window");
      auto r = get("/v1/changes?after=" + std::to_string(changes_after_) + "&limit=" + std::to_string(kPage), deadline_ns);
      if (!r) return std::unexpected(r.error().context("ground truth"));
      const auto& list = r->at("changes");
      for (const auto& c : list) {
        changes.push_back(c);
        changes_after_ = std::max(changes_after_, c.at("id").get<std::uint64_t>());
      }
      if (list.size() < kPage) break;
    }
    for (int page = 0;; ++page) {
      if (page >= kMaxPages) return fail(Errc::io, "ground truth: too many plane events in the window");
      auto r = get("/v1/plane/events?after=" + std::to_string(events_after_) + "&limit=" + std::to_string(kPage), deadline_ns);
      if (!r) return std::unexpected(r.error().context("ground truth"));
      const auto& list = r->at("events");
      for (const auto& e : list) events.push_back(e);
      events_after_ = std::max(events_after_, r->at("next_after").get<std::uint64_t>());
      if (list.size() < kPage) break;
    }
  } catch (const std::exception& e) {
    return fail(Errc::protocol, std::string("ground truth: ") + e.what());
  }
  return std::make_pair(nlohmann::json{{"changes", changes}}, nlohmann::json{{"events", events}});
}

}  // namespace mixnet::coord
