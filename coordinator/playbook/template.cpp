#include "coordinator/playbook/template.hpp"

#include <fmt/format.h>

#include "coordinator/playbook/expr.hpp"

namespace mixnet::coord {
namespace {

struct Piece {
  bool is_expr = false;
  std::string text;
};

Result<std::vector<Piece>> split(const std::string& text) {
  std::vector<Piece> pieces;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string::npos) {
      pieces.push_back({false, text.substr(pos)});
      break;
    }
    if (open > pos) pieces.push_back({false, text.substr(pos, open - pos)});
    const auto close = text.find("}}", open + 2);
    if (close == std::string::npos) return fail(Errc::invalid_argument, fmt::format("'{{{{' without '}}}}' in '{}'", text));
    pieces.push_back({true, text.substr(open + 2, close - open - 2)});
    pos = close + 2;
  }
  return pieces;
}

}  // namespace

Result<nlohmann::json> render_string(const std::string& text, const nlohmann::json& vars) {
  auto pieces = split(text);
  if (!pieces) return std::unexpected(pieces.error());
  if (pieces->size() == 1 && (*pieces)[0].is_expr) {
    auto e = Expression::parse((*pieces)[0].text);
    if (!e) return std::unexpected(e.error());
    return e->evaluate(vars);
  }
  std::string out;
  for (const auto& piece : *pieces) {
    if (!piece.is_expr) {
      out += piece.text;
      continue;
    }
    auto e = Expression::parse(piece.text);
    if (!e) return std::unexpected(e.error());
    auto v = e->evaluate(vars);
    if (!v) return std::unexpected(v.error());
    out += v->is_string() ? v->get<std::string>() : v->dump();
  }
  return out;
}

Result<nlohmann::json> render(const nlohmann::json& value, const nlohmann::json& vars) {
  if (value.is_string()) return render_string(value.get<std::string>(), vars);
  if (value.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& element : value) {
      auto r = render(element, vars);
      if (!r) return r;
      out.push_back(std::move(*r));
    }
    return out;
  }
  if (value.is_object()) {
    auto out = nlohmann::json::object();
    for (const auto& [key, element] : value.items()) {
      auto r = render(element, vars);
      if (!r) return std::unexpected(r.error().context(key));
      out[key] = std::move(*r);
    }
    return out;
  }
  return value;
}

Result<void> check_templates(const nlohmann::json& value) {
  if (value.is_string()) {
    auto pieces = split(value.get<std::string>());
    if (!pieces) return std::unexpected(pieces.error());
    for (const auto& piece : *pieces) {
      if (!piece.is_expr) continue;
      if (auto e = Expression::parse(piece.text); !e) return std::unexpected(e.error());
    }
    return {};
  }
  if (value.is_array() || value.is_object()) {
    for (const auto& [key, element] : value.items()) {
      if (auto ok = check_templates(element); !ok) return std::unexpected(ok.error().context(key));
    }
  }
  return {};
}

}  // namespace mixnet::coord
