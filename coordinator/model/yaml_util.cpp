#include "coordinator/model/yaml_util.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace mixnet::coord::yamlx {

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const auto mark = node.Mark();
  return mark.line < 0 ? 0 : mark.line + 1;
}

std::string join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::string index(std::string_view path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

std::unexpected<Error> error_at_line(const Source& src, int line, const std::string& path, std::string message) {
  std::string where = src.file;
  if (line > 0) where += fmt::format(":{}", line);
  std::string text = path.empty() ? fmt::format("{}: {}", where, message) : fmt::format("{}: {}: {}", where, path, message);
  return fail(Errc::invalid_argument, std::move(text), path);
}

std::unexpected<Error> error_at(const Source& src, const YAML::Node& node, const std::string& path, std::string message) {
  return error_at_line(src, line_of(node), path, std::move(message));
}

Result<YAML::Node> load(std::string_view text, const Source& src) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return error_at_line(src, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "YAML syntax: " + e.msg);
  }
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::not_found, fmt::format("{}: cannot open", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(Errc::io, fmt::format("{}: read failed", path));
  return text.str();
}

Result<void> expect_map(const YAML::Node& node, const Source& src, const std::string& path) {
  if (!node.IsMap()) return error_at(src, node, path, "expected a mapping (key: value)");
  return {};
}

Result<void> expect_seq(const YAML::Node& node, const Source& src, const std::string& path) {
  if (!node.IsSequence()) return error_at(src, node, path, "expected a list");
  return {};
}

Result<void> only_keys(const YAML::Node& node, const Source& src, const std::string& path,
                       std::initializer_list<std::string_view> allowed) {
  if (auto ok = expect_map(node, src, path); !ok) return ok;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) return error_at(src, it->first, path, "keys must be plain words");
    const auto key = it->first.Scalar();
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return error_at(src, it->first, join(path, key), fmt::format("unknown key (allowed here: {})", list));
    }
  }
  return {};
}

Result<std::string> scalar(const YAML::Node& node, const Source& src, const std::string& path) {
  if (!node.IsScalar()) return error_at(src, node, path, "expected a single value");
  return node.Scalar();
}

Result<std::string> string(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = scalar(node, src, path);
  if (!text) return text;
  if (text->empty()) return error_at(src, node, path, "must not be empty");
  return text;
}

Result<std::int64_t> integer(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = scalar(node, src, path);
  if (!text) return std::unexpected(text.error());
  std::int64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end || node.Tag() == "!")
    return error_at(src, node, path, fmt::format("expected an integer, got '{}'", *text));
  return value;
}

Result<double> number(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = scalar(node, src, path);
  if (!text) return std::unexpected(text.error());
  const auto typed = typed_scalar(*text);
  if (node.Tag() == "!" || !typed.is_number())
    return error_at(src, node, path, fmt::format("expected a number, got '{}'", *text));
  return typed.get<double>();
}

Result<bool> boolean(const YAML::Node& node, const Source& src, const std::string& path) {
  auto text = scalar(node, src, path);
  if (!text) return std::unexpected(text.error());
  const auto typed = typed_scalar(*text);
  if (node.Tag() == "!" || !typed.is_boolean())
    return error_at(src, node, path, fmt::format("expected true or false, got '{}'", *text));
  return typed.get<bool>();
}

nlohmann::json typed_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const auto* end = text.data() + text.size();
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(text.data(), end, i); ec == std::errc{} && p == end) return i;
  double d = 0;
  if (auto [p, ec] = std::from_chars(text.data(), end, d); ec == std::errc{} && p == end) return d;
  return text;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return node.Scalar();   // quoted: always a string
      return typed_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& element : node) out.push_back(to_json(element));
      return out;
    }
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) out[it->first.Scalar()] = to_json(it->second);
      return out;
    }
  }
  return nullptr;
}

namespace {

void emit_node(YAML::Emitter& out, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") out << YAML::VerbatimTag(tag);
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      return;
    case YAML::NodeType::Scalar:
      // yaml-cpp emits a string plain where it can: a quoted "5" would come back as the number 5.
      if (tag == "!") out << YAML::DoubleQuoted;
      out << node.Scalar();
      return;
    case YAML::NodeType::Sequence:
      out << (node.Style() == YAML::EmitterStyle::Flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
      for (const auto& element : node) emit_node(out, element);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Map:
      out << (node.Style() == YAML::EmitterStyle::Flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        out << YAML::Key;
        emit_node(out, it->first);
        out << YAML::Value;
        emit_node(out, it->second);
      }
      out << YAML::EndMap;
      return;
  }
}

}  // namespace

std::string emit(const YAML::Node& root) {
  YAML::Emitter out;
  emit_node(out, root);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

}  // namespace mixnet::coord::yamlx
