#include "coordinator/health/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord::health {
namespace {

using yamlx::Source;

// Linear interpolation between closest ranks (numpy's default), on sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.size() == 1) return sorted.front();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

std::optional<PartKind> kind_from(const std::string& word) {
  for (auto k : {PartKind::host, PartKind::port, PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair})
    if (word == to_string(k)) return k;
  return std::nullopt;
}

// YAML scalars for the file: names quoted when they hold ':' or '>' (part names always do).
std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

const BaselineEntry* Baseline::find(const std::string& part, const std::string& figure) const {
  const auto it = entries.find({part, figure});
  return it == entries.end() ? nullptr : &it->second;
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return quantile(values, 0.5);
}

Spread spread_of(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.median = quantile(values, 0.5);
  s.p10 = quantile(values, 0.1);
  s.p90 = quantile(values, 0.9);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::fabs(v - s.median));
  s.mad = median_of(std::move(deviations));
  return s;
}

Baseline make_baseline(const std::vector<RunObservations>& runs) {
  Baseline b;
  struct Acc {
    PartKind kind = PartKind::port;
    std::string unit;
    std::vector<double> per_run;
  };
  std::map<std::pair<std::string, std::string>, Acc> acc;
  for (const auto& run : runs) {
    b.run_ids.push_back(run.run_id);
    std::map<std::pair<std::string, std::string>, std::vector<double>> this_run;
    for (const auto& o : run.observations) {
      if (!o.value || !std::isfinite(*o.value)) continue;
      const std::pair key{o.part, o.figure};
      this_run[key].push_back(*o.value);
      auto& a = acc[key];
      a.kind = o.kind;
      if (a.unit.empty()) a.unit = o.unit;
    }
    // A retest gives a part several values in one run; the run counts once, with its median.
    for (auto& [key, values] : this_run) acc[key].per_run.push_back(median_of(std::move(values)));
  }
  for (auto& [key, a] : acc) {
    const auto s = spread_of(a.per_run);
    b.entries[key] = BaselineEntry{a.kind, key.first, key.second, a.unit, s.median, s.mad, s.p10, s.p90, static_cast<int>(a.per_run.size())};
  }
  return b;
}

std::string baseline_yaml(const Baseline& b) {
  std::string out;
  out += "# mixnet health baseline: per part and figure, the median and spread of passing runs.\n";
  out += fmt::format("# Made by mixnet-coord baseline generate at {} from {}, {} runs.\n", b.generated_at.empty() ? "(unknown time)" : b.generated_at,
                     b.generated_from.empty() ? "(unknown store)" : b.generated_from, b.run_ids.size());
  out += "# Review before use: a part that was already degraded in these runs makes a low baseline.\n";
  out += "# median: the median of the runs' values; mad: median absolute deviation; p10/p90: the 10th and\n";
  out += "# 90th percentile; runs: how many runs measured it. Rules compare with the median (docs/health/rules.md).\n";
  out += "version: 1\n";
  out += fmt::format("generated_at: {}\n", yaml_quoted(b.generated_at));
  out += fmt::format("generated_from: {}\n", yaml_quoted(b.generated_from));
  out += "runs:\n";
  for (const auto& id : b.run_ids) out += fmt::format("  - {}\n", yaml_quoted(id));
  if (b.run_ids.empty()) out.replace(out.size() - 1, 1, " []\n");
  out += "parts:\n";
  std::string current;
  for (const auto& [key, e] : b.entries) {
    if (key.first != current) {
      current = key.first;
      out += fmt::format("  {}:\n    kind: {}\n    figures:\n", yaml_quoted(current), to_string(e.kind));
    }
    out += fmt::format("      {}: {{median: {}, mad: {}, p10: {}, p90: {}, runs: {}, unit: {}}}\n", yaml_quoted(e.figure), number(e.median), number(e.mad),
                       number(e.p10), number(e.p90), e.runs, yaml_quoted(e.unit));
  }
  if (b.entries.empty()) out.replace(out.size() - 1, 1, " {}\n");
  return out;
}

Result<Baseline> parse_baseline(std::string_view yaml_text, const std::string& display_name) {
  const Source src{display_name};
  auto root = yamlx::load(yaml_text, src);
  if (!root) return std::unexpected(root.error());
  const YAML::Node& top = *root;
  if (auto ok = yamlx::only_keys(top, src, "", {"version", "generated_at", "generated_from", "runs", "parts"}); !ok) return std::unexpected(ok.error());
  if (!top["version"]) return yamlx::error_at(src, top, "version", "missing (version: 1)");
  auto version = yamlx::integer(top["version"], src, "version");
  if (!version) return std::unexpected(version.error());
  if (*version != 1) return yamlx::error_at(src, top["version"], "version", "only version 1 is known");
  Baseline b;
  b.file = display_name;
  for (const char* key : {"generated_at", "generated_from"}) {
    if (!top[key]) continue;
    auto v = yamlx::scalar(top[key], src, key);
    if (!v) return std::unexpected(v.error());
    (std::string_view(key) == "generated_at" ? b.generated_at : b.generated_from) = *v;
  }
  if (const auto runs = top["runs"]) {
    if (auto ok = yamlx::expect_seq(runs, src, "runs"); !ok) return std::unexpected(ok.error());
    for (std::size_t i = 0; i < runs.size(); ++i) {
      auto id = yamlx::string(runs[i], src, yamlx::index("runs", i));
      if (!id) return std::unexpected(id.error());
      b.run_ids.push_back(*id);
    }
  }
  const auto parts = top["parts"];
  if (!parts) return yamlx::error_at(src, top, "parts", "missing (parts: {PART: {kind: ..., figures: {...}}})");
  if (auto ok = yamlx::expect_map(parts, src, "parts"); !ok) return std::unexpected(ok.error());
  for (auto it = parts.begin(); it != parts.end(); ++it) {
    auto part = yamlx::string(it->first, src, "parts");
    if (!part) return std::unexpected(part.error());
    const auto ppath = yamlx::join("parts", *part);
    const YAML::Node pnode = it->second;   // a copy: the iterator's pair is a temporary proxy
    if (auto ok = yamlx::only_keys(pnode, src, ppath, {"kind", "figures"}); !ok) return std::unexpected(ok.error());
    if (!pnode["kind"]) return yamlx::error_at(src, pnode, ppath + ".kind", "missing");
    auto kind_word = yamlx::string(pnode["kind"], src, ppath + ".kind");
    if (!kind_word) return std::unexpected(kind_word.error());
    const auto kind = kind_from(*kind_word);
    if (!kind) return yamlx::error_at(src, pnode["kind"], ppath + ".kind", fmt::format("unknown part kind '{}'", *kind_word));
    const auto figures = pnode["figures"];
    if (!figures) return yamlx::error_at(src, pnode, ppath + ".figures", "missing");
    if (auto ok = yamlx::expect_map(figures, src, ppath + ".figures"); !ok) return std::unexpected(ok.error());
    for (auto f = figures.begin(); f != figures.end(); ++f) {
      auto figure = yamlx::string(f->first, src, ppath + ".figures");
      if (!figure) return std::unexpected(figure.error());
      const auto fpath = yamlx::join(ppath, *figure);
      const YAML::Node fnode = f->second;   // a copy, as above
      if (auto ok = yamlx::only_keys(fnode, src, fpath, {"median", "mad", "p10", "p90", "runs", "unit"}); !ok) return std::unexpected(ok.error());
      BaselineEntry e;
      e.kind = *kind;
      e.part = *part;
      e.figure = *figure;
      for (const char* key : {"median", "mad", "p10", "p90"}) {
        if (!fnode[key]) return yamlx::error_at(src, fnode, yamlx::join(fpath, key), "missing");
        auto v = yamlx::number(fnode[key], src, yamlx::join(fpath, key));
        if (!v) return std::unexpected(v.error());
        if (!std::isfinite(*v)) return yamlx::error_at(src, fnode[key], yamlx::join(fpath, key), "must be a finite number");
        const std::string_view k = key;
        (k == "median" ? e.median : k == "mad" ? e.mad : k == "p10" ? e.p10 : e.p90) = *v;
      }
      if (e.mad < 0) return yamlx::error_at(src, fnode["mad"], fpath + ".mad", "a spread is never negative");
      if (e.p10 > e.median || e.median > e.p90) return yamlx::error_at(src, fnode, fpath, "expected p10 <= median <= p90");
      if (!fnode["runs"]) return yamlx::error_at(src, fnode, fpath + ".runs", "missing");
      auto runs = yamlx::integer(fnode["runs"], src, fpath + ".runs");
      if (!runs) return std::unexpected(runs.error());
      if (*runs < 1 || (!b.run_ids.empty() && *runs > static_cast<std::int64_t>(b.run_ids.size())))
        return yamlx::error_at(src, fnode["runs"], fpath + ".runs", fmt::format("must be 1..{} (the runs listed)", b.run_ids.empty() ? 1000000 : b.run_ids.size()));
      e.runs = static_cast<int>(*runs);
      if (fnode["unit"]) {
        auto u = yamlx::scalar(fnode["unit"], src, fpath + ".unit");
        if (!u) return std::unexpected(u.error());
        e.unit = *u;
      }
      b.entries[{e.part, e.figure}] = std::move(e);
    }
  }
  return b;
}

Result<Baseline> read_baseline(const std::string& path) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_baseline(*text, path);
}

}  // namespace mixnet::coord::health
