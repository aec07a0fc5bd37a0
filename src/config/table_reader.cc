#include "config/table_reader.h"

#include <algorithm>

namespace lockbox::config {

Result<toml::table> ParseToml(std::string_view text, const std::string& file_name) {
  try {
    return toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(file_name + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) +
                                   ": not valid TOML: " + std::string(e.description()));
  }
}

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number with a fraction";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

Status TableReader::RejectUnknownKeys(std::initializer_list<std::string_view> known) const {
  for (auto&& [key, node] : table_) {
    bool found = false;
    for (std::string_view k : known) found = found || key.str() == k;
    if (found) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return Status::InvalidArgument(Where(node) + "unknown key '" + prefix_ +
                                   std::string(key.str()) +
                                   "'; check its spelling (known keys here: " + list + ")");
  }
  return Status::Ok();
}

Status TableReader::String(std::string_view key, std::string* out) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return Status::Ok();
  const auto* value = node->as_string();
  if (value == nullptr) return Expected(*node, key, "a string", TypeName(node->type()));
  const std::string& text = value->get();
  if (text.empty() || text.find('\0') != std::string::npos) {
    return Expected(*node, key, "a non-empty string without NUL characters", "something else");
  }
  *out = text;
  return Status::Ok();
}

Status TableReader::Text(std::string_view key, size_t max_bytes,
                         std::optional<std::string>* out) const {
  std::string text;
  LOCKBOX_RETURN_IF_ERROR(String(key, &text));
  if (text.empty()) return Status::Ok();
  if (text.size() > max_bytes) {
    return Expected(*table_.get(key), key, "at most " + std::to_string(max_bytes) + " bytes",
                    std::to_string(text.size()));
  }
  *out = std::move(text);
  return Status::Ok();
}

Status TableReader::StringList(std::string_view key, size_t max_items, size_t max_bytes,
                               std::optional<std::vector<std::string>>* out) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return Status::Ok();
  const auto* array = node->as_array();
  const std::string expected = "an array of 1 to " + std::to_string(max_items) + " strings";
  if (array == nullptr) return Expected(*node, key, expected, TypeName(node->type()));
  if (array->empty() || array->size() > max_items) {
    return Expected(*node, key, expected, std::to_string(array->size()) + " items");
  }
  std::vector<std::string> items;
  for (const toml::node& item : *array) {
    const std::string what = "item " + std::to_string(items.size() + 1) + " of ";
    const auto* value = item.as_string();
    const bool ok = value != nullptr && !value->get().empty() && value->get().size() <= max_bytes &&
                    std::none_of(value->get().begin(), value->get().end(), [](char c) {
                      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                    });
    if (!ok) {
      return Status::InvalidArgument(Where(item) + what + "key '" + prefix_ + std::string(key) +
                                     "' must be a non-empty string of at most " +
                                     std::to_string(max_bytes) +
                                     " bytes without control characters");
    }
    if (std::find(items.begin(), items.end(), value->get()) != items.end()) {
      return Status::InvalidArgument(Where(item) + what + "key '" + prefix_ + std::string(key) +
                                     "' repeats \"" + value->get() + "\"");
    }
    items.push_back(value->get());
  }
  *out = std::move(items);
  return Status::Ok();
}

Result<const toml::table*> TableReader::Table(std::string_view key) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) {
    return Expected(*node, key, "a table ([" + std::string(key) + "])", TypeName(node->type()));
  }
  return node->as_table();
}

Status TableReader::Error(std::string_view key, const std::string& what) const {
  const toml::node* node = table_.get(key);
  return Status::InvalidArgument((node ? Where(*node) : file_ + ": ") + "key '" + prefix_ +
                                 std::string(key) + "': " + what);
}

std::string TableReader::Where(const toml::node& node) const {
  return file_ + ":" + std::to_string(node.source().begin.line) + ": ";
}

Status TableReader::Expected(const toml::node& node, std::string_view key,
                             const std::string& expected, const std::string& got) const {
  return Status::InvalidArgument(Where(node) + "key '" + prefix_ + std::string(key) + "' must be " +
                                 expected + " (got " + got + ")");
}

Status TableReader::Bool(std::string_view key, bool* out) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return Status::Ok();
  const auto* value = node->as_boolean();
  if (value == nullptr) return Expected(*node, key, "true or false", TypeName(node->type()));
  *out = value->get();
  return Status::Ok();
}

}  // namespace lockbox::config
