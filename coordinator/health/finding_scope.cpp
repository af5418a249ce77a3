#include "coordinator/health/finding_scope.hpp"

#include <algorithm>

namespace mixnet::coord::health {

bool is_pair_figure(std::string_view figure) { return std::ranges::find(kPairFigures, figure) != kPairFigures.end(); }

bool blames_on_its_own(const Finding& finding) {
  if (finding.severity != Severity::critical && finding.severity != Severity::unknown) return false;
  if (finding.kind != PartKind::host && finding.kind != PartKind::port && finding.kind != PartKind::ocs_port) return false;
  return !is_pair_figure(finding.figure);
}

std::vector<std::string> ends_of(std::string_view path) {
  for (char sep : {'>', '~'}) {
    const auto at = path.find(sep);
    if (at == std::string_view::npos || at == 0 || at + 1 == path.size()) continue;
    if (path.find(sep, at + 1) != std::string_view::npos) return {};
    return {std::string(path.substr(0, at)), std::string(path.substr(at + 1))};
  }
  return {};
}

std::string path_name(const PairTest& test) {
  if (test.via == PartKind::eps_pair) return test.a < test.b ? test.a + "~" + test.b : test.b + "~" + test.a;
  return test.a + ">" + test.b;
}

}  // namespace mixnet::coord::health
