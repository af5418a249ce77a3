#include "coordinator/measure/measurement_doc.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace mixnet::coord::measure {

using nlohmann::json;

// ---- building ------------------------------------------------------------------------------

TimelineExcerpt make_excerpt(const Timeline& timeline, const PortBreakdown& row, std::int64_t before_ns,
                             std::int64_t after_ns) {
  TimelineExcerpt out;
  out.repetition = row.repetition;
  out.port = row.port;
  out.bin_ns = timeline.bin_ns;
  out.reference_gbps = row.reference_gbps;
  out.threshold_gbps = row.threshold_gbps;
  std::optional<std::int64_t> first, last;
  for (std::size_t m = 0; m < kMomentCount; ++m) {
    const auto& at = row.moments[m].at;
    if (!at) continue;
    out.markers.emplace_back(std::string(kMomentNames[m]), at->ns);
    first = first ? std::min(*first, at->ns) : at->ns;
    last = last ? std::max(*last, at->ns) : at->ns;
  }
  if (timeline.bin_ns <= 0 || timeline.bytes.empty()) return out;
  const auto t0 = timeline.start.ns;
  const auto from = first ? *first - before_ns : t0;
  const auto to = last ? *last + after_ns : t0 + static_cast<std::int64_t>(timeline.bytes.size()) * timeline.bin_ns;
  bool started = false;
  for (std::size_t i = 0; i < timeline.bytes.size(); ++i) {
    const auto begin = t0 + static_cast<std::int64_t>(i) * timeline.bin_ns;
    if (begin + timeline.bin_ns <= from || begin >= to) continue;
    if (!started) out.start_ns = begin;
    started = true;
    out.gbps.push_back(bin_gbps(timeline.bytes[i], timeline.bin_ns));
  }
  return out;
}

Measurement assemble(std::string title, FullRateRule rule, std::vector<ClockOffset> clocks, std::vector<PortBreakdown> rows,
                     const GroundTruth* truth, const TruthOptions& truth_options, std::vector<TimelineExcerpt> timelines) {
  Measurement m;
  m.title = std::move(title);
  m.rule = rule;
  m.clocks = std::move(clocks);
  m.timelines = std::move(timelines);
  std::vector<TruthRow> truth_rows;
  for (auto& r : rows) {
    MeasurementRow row{std::move(r), std::nullopt};
    if (truth != nullptr) {
      row.truth = match_truth(row.measured, *truth, truth_options);
      truth_rows.push_back(*row.truth);
    }
    m.rows.push_back(std::move(row));
  }
  if (truth != nullptr) m.truth_check = check_against_truth(truth_rows, truth_options.bound_ns);
  return m;
}

std::vector<PortBreakdown> measured_rows(std::span<const MeasurementRow> rows) {
  std::vector<PortBreakdown> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.measured);
  return out;
}

std::vector<std::pair<std::string, std::vector<SegmentSummary>>> summarize_by_port(std::span<const MeasurementRow> rows) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<PortBreakdown>> by_port;
  for (const auto& r : rows) {
    auto [it, added] = by_port.try_emplace(r.measured.port);
    if (added) order.push_back(r.measured.port);
    it->second.push_back(r.measured);
  }
  std::vector<std::pair<std::string, std::vector<SegmentSummary>>> out;
  for (const auto& p : order) out.emplace_back(p, summarize_segments(by_port[p]));
  return out;
}

// ---- writing -------------------------------------------------------------------------------

namespace {

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json moments_json(const std::array<MomentValue, kMomentCount>& moments) {
  json j = json::object();
  for (std::size_t i = 0; i < kMomentCount; ++i) {
    const auto& m = moments[i];
    if (m.at) {
      j[std::string(kMomentNames[i])] = {{"ns", m.at->ns},
                                         {"uncertainty_ns", m.at->uncertainty_ns},
                                         {"clock_uncertainty_ns", m.at->clock_uncertainty_ns},
                                         {"clock", m.at->clock}};
    } else {
      j[std::string(kMomentNames[i])] = {{"missing", m.missing_reason}};
    }
  }
  return j;
}

json segments_json(const std::array<SegmentValue, kSegmentCount>& segments) {
  json j = json::object();
  for (std::size_t i = 0; i < kSegmentCount; ++i) {
    const auto& s = segments[i];
    json v = {{"status", to_string(s.status)}};
    if (s.status != SegmentStatus::missing) {
      v["ns"] = s.ns;
      v["uncertainty_ns"] = s.uncertainty_ns;
    }
    if (!s.reason.empty()) v["reason"] = s.reason;
    j[std::string(kSegments[i].name)] = v;
  }
  return j;
}

json distribution_json(const std::optional<Distribution>& d, std::string_view suffix) {
  json j = json::object();
  const auto key = [&](std::string_view k) { return fmt::format("{}{}", k, suffix); };
  if (!d) {
    for (auto k : {"min", "p50", "p90", "p99", "max"}) j[key(k)] = nullptr;
    return j;
  }
  j[key("min")] = d->min;
  j[key("p50")] = d->p50;
  j[key("p90")] = d->p90;
  j[key("p99")] = d->p99;
  j[key("max")] = d->max;
  return j;
}

json summaries_json(const std::vector<SegmentSummary>& summaries) {
  json list = json::array();
  for (const auto& s : summaries) {
    json j = {{"segment", s.segment},
              {"ok", s.ok},
              {"missing", s.missing},
              {"inconsistent", s.inconsistent},
              {"max_uncertainty_ns", s.max_uncertainty_ns}};
    j.update(distribution_json(s.distribution, "_ns"));
    list.push_back(j);
  }
  return list;
}

}  // namespace

json to_json(const Measurement& m) {
  json clocks = json::array();
  for (const auto& c : m.clocks) {
    clocks.push_back({{"clock", c.clock},
                      {"offset_ns", c.offset_ns},
                      {"uncertainty_ns", c.uncertainty_ns},
                      {"best_rtt_ns", c.best_rtt_ns},
                      {"measured_at_ns", c.measured_at_ns},
                      {"samples", c.samples},
                      {"consistent", c.consistent}});
  }
  json rows = json::array();
  for (const auto& r : m.rows) {
    const auto& b = r.measured;
    json row = {{"repetition", b.repetition},
                {"port", b.port},
                {"from_topology", b.from_topology},
                {"to_topology", b.to_topology},
                {"window_end_ns", opt(b.window_end_ns)},
                {"moments", moments_json(b.moments)},
                {"segments", segments_json(b.segments)},
                {"flaps", b.flaps},
                {"switch_recoveries", b.switch_recovery.count},
                {"reference_gbps", opt(b.reference_gbps)},
                {"threshold_gbps", opt(b.threshold_gbps)}};
    if (b.switch_recovery.count > 0) {
      row["switch_recovery_cause"] = b.switch_recovery.cause;
      row["switch_ack_read_back"] = b.switch_recovery.ack_is_read_back;
    }
    if (r.truth) {
      const auto& t = *r.truth;
      json moment_errors = json::object(), errors = json::object();
      for (std::size_t i = 0; i < kMomentCount; ++i)
        if (moment_has_truth(static_cast<Moment>(i))) moment_errors[std::string(kMomentNames[i])] = opt(t.moment_error_ns[i]);
      for (std::size_t i = 0; i < kSegmentCount; ++i)
        if (segment_has_truth(i)) errors[std::string(kSegments[i].name)] = opt(t.error_ns[i]);
      row["truth"] = {{"change_ids", t.change_ids},
                      {"moments", moments_json(t.moments)},
                      {"light_off_ns", opt(t.light_off_ns)},
                      {"light_on_ns", opt(t.light_on_ns)},
                      {"training_ms", opt(t.training_ms)},
                      {"segments", segments_json(t.truth_segments)},
                      {"moment_error_ns", moment_errors},
                      {"error_ns", errors}};
    }
    rows.push_back(row);
  }
  json ports = json::array();
  for (const auto& [port, summaries] : summarize_by_port(m.rows)) ports.push_back({{"port", port}, {"segments", summaries_json(summaries)}});
  json truth = nullptr;
  if (m.truth_check) {
    json segs = json::array();
    for (const auto& s : m.truth_check->segments) {
      json j = {{"segment", s.segment}, {"rows", s.rows}, {"pairs", s.pairs}, {"missing", s.missing},
                {"inconsistent", s.inconsistent}, {"pass", s.pass}};
      j.update(distribution_json(s.abs_error, "_abs_ns"));
      segs.push_back(j);
    }
    const auto& t = *m.truth_check;
    json lost = json::object(), unjudged = json::object(), checked = json::array(), unchecked = json::array();
    for (std::size_t i = 0; i < kMomentCount; ++i) {
      const std::string name(kMomentNames[i]);
      if (moment_has_truth(static_cast<Moment>(i))) {
        lost[name] = t.lost[i];
        unjudged[name] = t.unjudged[i];
        checked.push_back(name);
      } else {
        unchecked.push_back(name);
      }
    }
    truth = {{"bound_ns", t.bound_ns}, {"pass", t.pass}, {"message", t.message}, {"rows", t.rows},
             {"unmatched", t.unmatched}, {"missing_moments", lost}, {"unjudged_moments", unjudged}, {"checked_moments", checked},
             {"unchecked_moments", unchecked}, {"segments", segs}};
  }
  json timelines = json::array();
  for (const auto& t : m.timelines) {
    json markers = json::object();
    for (const auto& [name, ns] : t.markers) markers[name] = ns;
    timelines.push_back({{"repetition", t.repetition},
                         {"port", t.port},
                         {"start_ns", t.start_ns},
                         {"bin_ns", t.bin_ns},
                         {"gbps", t.gbps},
                         {"reference_gbps", opt(t.reference_gbps)},
                         {"threshold_gbps", opt(t.threshold_gbps)},
                         {"markers", markers}});
  }
  const auto rows_measured = measured_rows(m.rows);
  return {{"format", kMeasurementFormat},
          {"version", kMeasurementVersion},
          {"title", m.title},
          {"run_id", m.run_id},
          {"method",
           {{"percentiles", "nearest-rank"},
            {"clock_alignment", "min-rtt offset, uncertainty = best rtt / 2"},
            {"full_rate",
             {{"threshold_fraction", m.rule.threshold_fraction},
              {"hold_ns", m.rule.hold_ns},
              {"window_ns", m.rule.window_ns},
              {"reference", to_string(m.rule.reference)},
              {"line_rate_gbps", m.rule.line_rate_gbps},
              {"baseline_window_ns", m.rule.baseline_window_ns}}}}},
          {"clocks", clocks},
          {"rows", rows},
          {"summary", {{"segments", summaries_json(summarize_segments(rows_measured))}, {"ports", ports}}},
          {"ground_truth", truth},
          {"timelines", timelines}};
}

// ---- reading -------------------------------------------------------------------------------

namespace {

// Walks a JSON document keeping the path, so every error names where it is.
struct Node {
  const json& j;
  std::string path;

  [[nodiscard]] Node at(std::string_view key) const { return Node{j.at(std::string(key)), path + "." + std::string(key)}; }
  [[nodiscard]] Node at(std::size_t i) const { return Node{j.at(i), fmt::format("{}[{}]", path, i)}; }
  [[nodiscard]] bool has(std::string_view key) const { return j.is_object() && j.contains(key); }
  [[nodiscard]] bool has_value(std::string_view key) const { return has(key) && !j.at(std::string(key)).is_null(); }
};

std::unexpected<Error> bad(const Node& n, std::string_view what) { return fail(Errc::invalid_argument, std::string(what), n.path); }

Result<Node> need(const Node& n, std::string_view key) {
  if (!n.j.is_object()) return bad(n, "must be an object");
  if (!n.has(key)) return fail(Errc::invalid_argument, "missing", n.path + "." + std::string(key));
  return n.at(key);
}

template <class T>
Result<T> integer(const Node& n, std::string_view key) {
  auto v = need(n, key);
  if (!v) return std::unexpected(v.error());
  if (!v->j.is_number_integer()) return bad(*v, "must be an integer");
  return v->j.get<T>();
}

Result<double> real(const Node& n, std::string_view key) {
  auto v = need(n, key);
  if (!v) return std::unexpected(v.error());
  if (!v->j.is_number()) return bad(*v, "must be a number");
  return v->j.get<double>();
}

Result<std::string> text(const Node& n, std::string_view key) {
  auto v = need(n, key);
  if (!v) return std::unexpected(v.error());
  if (!v->j.is_string()) return bad(*v, "must be a string");
  return v->j.get<std::string>();
}

template <class T>
Result<std::optional<T>> optional_number(const Node& n, std::string_view key) {
  if (!n.has_value(key)) return std::optional<T>{};
  const auto v = n.at(key);
  if constexpr (std::is_integral_v<T>) {
    if (!v.j.is_number_integer()) return bad(v, "must be an integer or null");
  } else {
    if (!v.j.is_number()) return bad(v, "must be a number or null");
  }
  return std::optional<T>(v.j.get<T>());
}

#define MEASURE_TRY(var, expr)                          \
  auto var##_r = (expr);                                \
  if (!var##_r) return std::unexpected(var##_r.error()); \
  auto var = std::move(*var##_r)

Result<std::array<MomentValue, kMomentCount>> read_moments(const Node& parent) {
  MEASURE_TRY(node, need(parent, "moments"));
  if (!node.j.is_object()) return bad(node, "must be an object");
  std::array<MomentValue, kMomentCount> out;
  for (std::size_t i = 0; i < kMomentCount; ++i) {
    MEASURE_TRY(m, need(node, kMomentNames[i]));
    if (!m.j.is_object()) return bad(m, "must be an object");
    if (m.has("missing")) {
      MEASURE_TRY(reason, text(m, "missing"));
      out[i].missing_reason = reason;
      continue;
    }
    Timestamp t;
    MEASURE_TRY(ns, integer<std::int64_t>(m, "ns"));
    MEASURE_TRY(unc, integer<std::int64_t>(m, "uncertainty_ns"));
    MEASURE_TRY(clock_unc, integer<std::int64_t>(m, "clock_uncertainty_ns"));
    MEASURE_TRY(clock, text(m, "clock"));
    if (unc < 0 || clock_unc < 0 || clock_unc > unc) return bad(m.at("clock_uncertainty_ns"), "must be 0..uncertainty_ns");
    out[i].at = Timestamp{ns, unc, clock_unc, clock};
  }
  return out;
}

Result<FullRateRule> read_rule(const Node& root) {
  MEASURE_TRY(method, need(root, "method"));
  MEASURE_TRY(fr, need(method, "full_rate"));
  FullRateRule r;
  MEASURE_TRY(fraction, real(fr, "threshold_fraction"));
  MEASURE_TRY(hold, integer<std::int64_t>(fr, "hold_ns"));
  MEASURE_TRY(reference, text(fr, "reference"));
  MEASURE_TRY(line, real(fr, "line_rate_gbps"));
  MEASURE_TRY(window, integer<std::int64_t>(fr, "baseline_window_ns"));
  MEASURE_TRY(smoothing, optional_number<std::int64_t>(fr, "window_ns"));  // absent (older documents): 0
  r.threshold_fraction = fraction;
  r.hold_ns = hold;
  r.window_ns = smoothing.value_or(0);
  const auto named = reference_named(reference);
  if (!named) return bad(fr.at("reference"), "must be \"line\", \"baseline\" or \"settled\"");
  r.reference = *named;
  r.line_rate_gbps = line;
  r.baseline_window_ns = window;
  if (auto ok = validate(r); !ok) return fail(Errc::invalid_argument, ok.error().message, fr.path + "." + ok.error().field);
  return r;
}

Result<MeasurementRow> read_row(const Node& n) {
  if (!n.j.is_object()) return bad(n, "must be an object");
  MeasurementRow row;
  auto& b = row.measured;
  MEASURE_TRY(rep, integer<int>(n, "repetition"));
  MEASURE_TRY(port, text(n, "port"));
  MEASURE_TRY(from, text(n, "from_topology"));
  MEASURE_TRY(to, text(n, "to_topology"));
  MEASURE_TRY(window_end, optional_number<std::int64_t>(n, "window_end_ns"));
  MEASURE_TRY(moments, read_moments(n));
  MEASURE_TRY(flaps, integer<int>(n, "flaps"));
  MEASURE_TRY(recoveries, optional_number<int>(n, "switch_recoveries"));  // absent (older documents): 0
  if (recoveries && *recoveries < 0) return bad(n.at("switch_recoveries"), "must not be negative");
  std::string recovery_cause;
  if (n.has_value("switch_recovery_cause")) {
    MEASURE_TRY(cause, text(n, "switch_recovery_cause"));
    recovery_cause = cause;
  }
  bool ack_read_back = false;
  if (n.has_value("switch_ack_read_back")) {
    const auto v = n.at("switch_ack_read_back");
    if (!v.j.is_boolean()) return bad(v, "must be true or false");
    ack_read_back = v.j.get<bool>();
  }
  MEASURE_TRY(reference, optional_number<double>(n, "reference_gbps"));
  MEASURE_TRY(threshold, optional_number<double>(n, "threshold_gbps"));
  b.repetition = rep;
  b.port = port;
  b.from_topology = from;
  b.to_topology = to;
  b.window_end_ns = window_end;
  b.moments = moments;
  b.segments = compute_segments(b.moments);
  b.flaps = flaps;
  b.switch_recovery = SwitchRecovery{recoveries.value_or(0), recovery_cause, ack_read_back};
  b.reference_gbps = reference;
  b.threshold_gbps = threshold;
  if (n.has_value("truth")) {
    const auto tn = n.at("truth");
    if (!tn.j.is_object()) return bad(tn, "must be an object");
    TruthRow t;
    t.repetition = rep;
    t.port = port;
    MEASURE_TRY(tmoments, read_moments(tn));
    t.moments = tmoments;
    if (tn.has("change_ids")) {
      const auto ids = tn.at("change_ids");
      if (!ids.j.is_array()) return bad(ids, "must be an array");
      for (std::size_t i = 0; i < ids.j.size(); ++i) {
        if (!ids.j[i].is_number_unsigned()) return bad(ids.at(i), "must be an unsigned integer");
        t.change_ids.push_back(ids.j[i].get<std::uint64_t>());
      }
    }
    MEASURE_TRY(light_off, optional_number<std::int64_t>(tn, "light_off_ns"));
    MEASURE_TRY(light_on, optional_number<std::int64_t>(tn, "light_on_ns"));
    MEASURE_TRY(training, optional_number<double>(tn, "training_ms"));
    t.light_off_ns = light_off;
    t.light_on_ns = light_on;
    t.training_ms = training;
    t.truth_segments = compute_segments(t.moments);
    compare_with_truth(b, t);
    row.truth = std::move(t);
  }
  return row;
}

Result<TimelineExcerpt> read_timeline(const Node& n) {
  if (!n.j.is_object()) return bad(n, "must be an object");
  TimelineExcerpt t;
  MEASURE_TRY(rep, integer<int>(n, "repetition"));
  MEASURE_TRY(port, text(n, "port"));
  MEASURE_TRY(start, integer<std::int64_t>(n, "start_ns"));
  MEASURE_TRY(bin, integer<std::int64_t>(n, "bin_ns"));
  if (bin <= 0) return bad(n.at("bin_ns"), "must be positive");
  MEASURE_TRY(reference, optional_number<double>(n, "reference_gbps"));
  MEASURE_TRY(threshold, optional_number<double>(n, "threshold_gbps"));
  MEASURE_TRY(gbps, need(n, "gbps"));
  if (!gbps.j.is_array()) return bad(gbps, "must be an array");
  for (std::size_t i = 0; i < gbps.j.size(); ++i) {
    if (!gbps.j[i].is_number()) return bad(gbps.at(i), "must be a number");
    t.gbps.push_back(gbps.j[i].get<double>());
  }
  MEASURE_TRY(markers, need(n, "markers"));
  if (!markers.j.is_object()) return bad(markers, "must be an object");
  for (const auto& [name, ns] : markers.j.items()) {
    if (!moment_named(name)) return bad(markers.at(name), "not a moment name");
    if (!ns.is_number_integer()) return bad(markers.at(name), "must be an integer");
    t.markers.emplace_back(name, ns.get<std::int64_t>());
  }
  t.repetition = rep;
  t.port = port;
  t.start_ns = start;
  t.bin_ns = bin;
  t.reference_gbps = reference;
  t.threshold_gbps = threshold;
  return t;
}

}  // namespace

Result<Measurement> measurement_from_json(const json& j) {
  const Node root{j, "measurement"};
  if (!j.is_object()) return bad(root, "must be an object");
  MEASURE_TRY(format, text(root, "format"));
  if (format != kMeasurementFormat) return bad(root.at("format"), fmt::format("must be \"{}\"", kMeasurementFormat));
  MEASURE_TRY(version, integer<int>(root, "version"));
  if (version != kMeasurementVersion) return bad(root.at("version"), fmt::format("version {} is not known (this build reads {})", version, kMeasurementVersion));
  Measurement m;
  if (root.has_value("title")) {
    MEASURE_TRY(title, text(root, "title"));
    m.title = title;
  }
  if (root.has_value("run_id")) {
    MEASURE_TRY(run_id, text(root, "run_id"));
    m.run_id = run_id;
  }
  MEASURE_TRY(rule, read_rule(root));
  m.rule = rule;
  MEASURE_TRY(clocks, need(root, "clocks"));
  if (!clocks.j.is_array()) return bad(clocks, "must be an array");
  for (std::size_t i = 0; i < clocks.j.size(); ++i) {
    const auto c = clocks.at(i);
    ClockOffset o;
    MEASURE_TRY(name, text(c, "clock"));
    MEASURE_TRY(offset, integer<std::int64_t>(c, "offset_ns"));
    MEASURE_TRY(unc, integer<std::int64_t>(c, "uncertainty_ns"));
    MEASURE_TRY(rtt, integer<std::int64_t>(c, "best_rtt_ns"));
    MEASURE_TRY(at, integer<std::int64_t>(c, "measured_at_ns"));
    MEASURE_TRY(samples, integer<std::uint64_t>(c, "samples"));
    o.clock = name;
    o.offset_ns = offset;
    o.uncertainty_ns = unc;
    o.best_rtt_ns = rtt;
    o.measured_at_ns = at;
    o.samples = samples;
    o.consistent = !c.has("consistent") || c.j.at("consistent") == true;
    m.clocks.push_back(o);
  }
  MEASURE_TRY(rows, need(root, "rows"));
  if (!rows.j.is_array()) return bad(rows, "must be an array");
  std::vector<TruthRow> truth_rows;
  for (std::size_t i = 0; i < rows.j.size(); ++i) {
    MEASURE_TRY(row, read_row(rows.at(i)));
    if (row.truth) truth_rows.push_back(*row.truth);
    m.rows.push_back(std::move(row));
  }
  if (root.has_value("ground_truth")) {
    MEASURE_TRY(bound, integer<std::int64_t>(root.at("ground_truth"), "bound_ns"));
    m.truth_check = check_against_truth(truth_rows, bound);
  }
  if (root.has_value("timelines")) {
    const auto tl = root.at("timelines");
    if (!tl.j.is_array()) return bad(tl, "must be an array");
    for (std::size_t i = 0; i < tl.j.size(); ++i) {
      MEASURE_TRY(t, read_timeline(tl.at(i)));
      m.timelines.push_back(std::move(t));
    }
  }
  return m;
}

namespace {

const json* search(const json& j, int depth) {
  if (depth > 8) return nullptr;  // results.json nests steps -> result -> data: a few levels suffice
  if (j.is_object()) {
    if (auto it = j.find("format"); it != j.end() && *it == kMeasurementFormat) return &j;
    for (const auto& [key, value] : j.items())
      if (const auto* hit = search(value, depth + 1)) return hit;
  } else if (j.is_array()) {
    for (const auto& value : j)
      if (const auto* hit = search(value, depth + 1)) return hit;
  }
  return nullptr;
}

}  // namespace

Result<json> find_measurement(const json& doc_or_results) {
  if (const auto* hit = search(doc_or_results, 0)) return *hit;
  return fail(Errc::not_found, fmt::format("no \"{}\" document in this JSON", kMeasurementFormat));
}

}  // namespace mixnet::coord::measure
