#include "api/json_fields.h"

#include "crypto/base64.h"
#include "util/utc_time.h"

namespace lockbox::api {
namespace {

const nlohmann::json::array_t& EmptyArray() {
  static const nlohmann::json::array_t empty;
  return empty;
}

bool HasControl(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

JsonFields::JsonFields(const nlohmann::json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    status_ = Status::InvalidArgument((path_.empty() ? std::string("the body") : path_) +
                                      ": expected a JSON object");
  }
}

std::string JsonFields::FieldPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string JsonFields::ElementPath(std::string_view key, size_t index) const {
  return FieldPath(key) + "[" + std::to_string(index) + "]";
}

bool JsonFields::Has(std::string_view key) const {
  if (!value_.is_object()) return false;
  const auto it = value_.find(key);
  return it != value_.end() && !it->is_null();
}

void JsonFields::Fail(const Status& status) {
  if (status_.ok() && !status.ok()) status_ = status;
}

void JsonFields::Fail(std::string_view key, std::string_view expectation) {
  Fail(Status::InvalidArgument(FieldPath(key) + ": " + std::string(expectation)));
}

const nlohmann::json* JsonFields::Find(std::string_view key, bool required,
                                       std::string_view expected) {
  read_.emplace(key);
  if (!status_.ok()) return nullptr;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    if (required) Fail(key, "is required (" + std::string(expected) + ")");
    return nullptr;
  }
  return &*it;
}

std::string JsonFields::Text(std::string_view key, TextRules rules) {
  const nlohmann::json* v = Find(key, rules.required, "a string");
  if (v == nullptr) return "";
  if (!v->is_string()) {
    Fail(key, "expected a string");
    return "";
  }
  const auto& text = v->get_ref<const std::string&>();
  if (text.size() > rules.max_bytes) {
    Fail(key, "is longer than " + std::to_string(rules.max_bytes) + " bytes: shorten it");
    return "";
  }
  if (!rules.allow_control && HasControl(text)) {
    Fail(key, "contains control characters (line breaks, tabs, ...): remove them");
    return "";
  }
  if (rules.required && text.empty()) {
    Fail(key, "is empty: give a value");
    return "";
  }
  return text;
}

crypto::SecretBytes JsonFields::Secret(std::string_view key, size_t max_bytes, bool required) {
  const nlohmann::json* v = Find(key, required, "a string");
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail(key, "expected a string");
    return {};
  }
  const auto& text = v->get_ref<const std::string&>();
  if (text.size() > max_bytes) {
    Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
    return {};
  }
  if (required && text.empty()) {
    Fail(key, "is empty: give a value");
    return {};
  }
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

crypto::SecretBytes JsonFields::Base64Secret(std::string_view key, size_t max_decoded_bytes,
                                             bool required) {
  const nlohmann::json* v = Find(key, required, "a base64 string");
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail(key, "expected a base64 string");
    return {};
  }
  auto decoded = crypto::Base64Decode(v->get_ref<const std::string&>(), max_decoded_bytes);
  if (!decoded.ok()) {
    Fail(key, decoded.status().message());
    return {};
  }
  if (required && decoded->empty()) {
    Fail(key, "is empty: give a value");
    return {};
  }
  return std::move(decoded).value();
}

std::vector<uint8_t> JsonFields::Base64Bytes(std::string_view key, size_t max_decoded_bytes,
                                             bool required) {
  const crypto::SecretBytes decoded = Base64Secret(key, max_decoded_bytes, required);
  return {decoded.data(), decoded.data() + decoded.size()};
}

std::optional<Guid> JsonFields::OptionalId(std::string_view key) {
  const nlohmann::json* v = Find(key, false, "a GUID");
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    auto guid = Guid::Parse(v->get_ref<const std::string&>());
    if (guid.ok()) return *guid;
  }
  Fail(key, "expected a GUID like \"8f595209-f5b9-49a0-85d4-cb8f80258c27\"");
  return std::nullopt;
}

Guid JsonFields::Id(std::string_view key) {
  const std::optional<Guid> id = OptionalId(key);
  if (!id && ok()) Fail(key, "is required (a GUID)");
  return id.value_or(Guid{});
}

std::optional<std::chrono::sys_seconds> JsonFields::Time(std::string_view key) {
  const nlohmann::json* v = Find(key, false, "a date and time");
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    auto time = ParseUtc(v->get_ref<const std::string&>());
    if (time.ok()) return *time;
    Fail(key, time.status().message());
    return std::nullopt;
  }
  Fail(key, "expected a UTC date and time like 2024-05-01T09:30:00Z (RFC 3339)");
  return std::nullopt;
}

bool JsonFields::Flag(std::string_view key, bool default_value) {
  const nlohmann::json* v = Find(key, false, "true or false");
  if (v == nullptr) return default_value;
  if (!v->is_boolean()) {
    Fail(key, "expected true or false");
    return default_value;
  }
  return v->get<bool>();
}

int64_t JsonFields::Integer(std::string_view key, int64_t min, int64_t max,
                            std::optional<int64_t> default_value) {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const nlohmann::json* v = Find(key, !default_value.has_value(), range);
  if (v == nullptr) return default_value.value_or(min);
  int64_t n = 0;
  if (v->is_number_integer()) {
    n = v->get<int64_t>();
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      n = INT64_MAX;
    }
  } else {
    Fail(key, "expected " + range);
    return default_value.value_or(min);
  }
  if (n < min || n > max) {
    Fail(key, "expected " + range);
    return default_value.value_or(min);
  }
  return n;
}

std::optional<std::string> JsonFields::OneOf(std::string_view key,
                                             const std::vector<std::string>& names, bool required) {
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  const nlohmann::json* v = Find(key, required, "one of " + list);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    for (const auto& name : names) {
      if (name == v->get_ref<const std::string&>()) return name;
    }
  }
  Fail(key, "expected one of " + list);
  return std::nullopt;
}

const nlohmann::json::array_t& JsonFields::Array(std::string_view key, size_t max_items,
                                                 bool required) {
  const nlohmann::json* v = Find(key, required, "an array");
  if (v == nullptr) return EmptyArray();
  if (!v->is_array()) {
    Fail(key, "expected an array");
    return EmptyArray();
  }
  if (v->size() > max_items) {
    Fail(key, "has more than " + std::to_string(max_items) + " elements");
    return EmptyArray();
  }
  return v->get_ref<const nlohmann::json::array_t&>();
}

std::vector<std::string> JsonFields::TextArray(std::string_view key, size_t max_items,
                                               TextRules rules) {
  std::vector<std::string> texts;
  const auto& items = Array(key, max_items, rules.required);
  for (size_t i = 0; i < items.size() && ok(); ++i) {
    const std::string where = ElementPath(key, i);
    if (!items[i].is_string()) {
      Fail(Status::InvalidArgument(where + ": expected a string"));
    } else if (items[i].get_ref<const std::string&>().size() > rules.max_bytes) {
      Fail(Status::InvalidArgument(where + ": is longer than " + std::to_string(rules.max_bytes) +
                                   " bytes: shorten it"));
    } else if (HasControl(items[i].get_ref<const std::string&>())) {
      Fail(Status::InvalidArgument(where + ": contains control characters: remove them"));
    } else {
      texts.push_back(items[i].get<std::string>());
    }
  }
  return ok() ? texts : std::vector<std::string>{};
}

const nlohmann::json* JsonFields::Object(std::string_view key, bool required) {
  const nlohmann::json* v = Find(key, required, "an object");
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(key, "expected an object");
    return nullptr;
  }
  return v;
}

Status JsonFields::Finish() {
  if (!status_.ok()) return status_;
  for (const auto& [key, unused] : value_.items()) {
    if (!read_.contains(key)) {
      return Status::InvalidArgument(
          FieldPath(key.substr(0, 64)) +
          ": unknown field (check its spelling against the API document at "
          "/api/v1/openapi.json)");
    }
  }
  return Status::Ok();
}

}  // namespace lockbox::api
