#include "coordinator/ocs/truth_reader.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/token_file.hpp"
#include "common/wire/ground_truth.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/http_multi.hpp"

namespace mixnet::coord {

namespace {

// Bounds on paging: a ground-truth log larger than this in one window is not a measurement we
// can trust anyway.
constexpr int kMaxTruthPages = 200;
constexpr std::uint64_t kPage = 1000;

// The reply body as JSON, then as the wire type; errors say which GET.
template <class T>
Result<T> decode(const Result<std::string>& body, const std::string& what, Result<T> (*parse)(const nlohmann::json&)) {
  if (!body) return std::unexpected(body.error());
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded()) return fail(Errc::protocol, what + ": not JSON");
  auto v = parse(j);
  if (!v) return std::unexpected(v.error().context(what));
  return v;
}

}  // namespace

Result<TruthReader> TruthReader::open(const GroundTruth& where) {
  TruthReader r;
  r.url_ = where.url;
  if (!where.token_file.empty()) {
    auto token = read_token_file(where.token_file, "ground_truth.token_file");
    if (!token) return std::unexpected(token.error());  // its code kept: a missing file, an open mode
    r.token_ = std::move(token->token);
  }
  return r;
}

Result<std::string> TruthReader::get(const std::string& target, std::int64_t deadline_ns) const {
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
    return fail(Errc::io, Cause::http_status, "GET " + req.url + ": HTTP " + std::to_string((*got)->status) + ": " + (*got)->body.substr(0, 200));
  }
  return std::move((*got)->body);
}

Result<void> TruthReader::mark(std::int64_t deadline_ns) {
  auto changes = decode(get("/v1/changes?after=0&limit=1", deadline_ns), "GET /v1/changes", wire::parse_changes_page);
  if (!changes) return std::unexpected(changes.error().context("ground truth"));
  auto plane = decode(get("/v1/plane", deadline_ns), "GET /v1/plane", wire::parse_plane_mark);
  if (!plane) return std::unexpected(plane.error().context("ground truth"));
  changes_after_ = changes->last_id;
  events_after_ = plane->last_seq;
  return {};
}

Result<measure::GroundTruth> TruthReader::read(std::int64_t deadline_ns) {
  measure::GroundTruth truth;
  for (int page = 0;; ++page) {
    if (page >= kMaxTruthPages) return fail(Errc::io, "ground truth: too many changes in the window");
    const auto target = "/v1/changes?after=" + std::to_string(changes_after_) + "&limit=" + std::to_string(kPage);
    auto r = decode(get(target, deadline_ns), "GET /v1/changes", wire::parse_changes_page);
    if (!r) return std::unexpected(r.error().context("ground truth"));
    for (auto& c : r->changes) {
      changes_after_ = std::max(changes_after_, c.id);
      truth.changes.push_back(std::move(c));
    }
    if (r->changes.size() < kPage) break;
  }
  for (int page = 0;; ++page) {
    if (page >= kMaxTruthPages) return fail(Errc::io, "ground truth: too many plane events in the window");
    const auto target = "/v1/plane/events?after=" + std::to_string(events_after_) + "&limit=" + std::to_string(kPage);
    auto r = decode(get(target, deadline_ns), "GET /v1/plane/events", wire::parse_plane_events_page);
    if (!r) return std::unexpected(r.error().context("ground truth"));
    const bool last = r->events.size() < kPage;
    for (auto& e : r->events) truth.plane_events.push_back(std::move(e));
    events_after_ = std::max(events_after_, r->next_after);
    if (last) break;
  }
  return truth;
}

}  // namespace mixnet::coord
