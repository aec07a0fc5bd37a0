// JsonFields: reads the fields of one JSON object from a request body, with the checks every
// API input needs, and says exactly which field was wrong.
//
//   api::JsonFields fields(body, "");                 // body: the parsed request JSON
//   std::string key_id = fields.Text("key_id");      // required, at most 256 bytes
//   std::string note = fields.Text("reason_text", {.required = false});
//   bool ack = fields.Flag("notice_acknowledged");
//   LOCKBOX_RETURN_IF_ERROR(fields.Finish());         // the first problem, or an unknown field
//
// Reading never throws. The first problem is kept ("volumes[2].protectors[0].type: expected
// one of tpm, recovery_password, ..."); later reads return empty values, so a handler reads
// all its fields and checks once. A field the handler did not read is an error too, so a
// misspelt optional field is reported instead of silently ignored. Messages name fields and
// expectations, never the values sent (which may be secrets).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/json_wipe.h"
#include "crypto/secret.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::api {

struct TextRules {
  bool required = true;
  size_t max_bytes = 256;
  bool allow_control = false;  // control characters (newlines) allowed, e.g. in notices
};

class JsonFields {
 public:
  // `path` names the object in messages ("volumes[2]"; "" for the body itself). `value` must
  // outlive this reader. A value that is not an object is the first problem.
  JsonFields(const nlohmann::json& value, std::string path);

  // A UTF-8 string (JSON strings always are). Missing and not required: "".
  std::string Text(std::string_view key, TextRules rules = {});
  // A string as a secret (a password): its bytes are copied once, into wiped memory.
  crypto::SecretBytes Secret(std::string_view key, size_t max_bytes, bool required = true);
  // Base64 (standard alphabet, padding required) decoded into wiped memory; empty when missing
  // and not required.
  crypto::SecretBytes Base64Secret(std::string_view key, size_t max_decoded_bytes,
                                   bool required = true);
  std::vector<uint8_t> Base64Bytes(std::string_view key, size_t max_decoded_bytes,
                                   bool required = true);
  Guid Id(std::string_view key);  // a GUID string, required
  std::optional<Guid> OptionalId(std::string_view key);
  std::optional<std::chrono::sys_seconds> Time(std::string_view key);  // RFC 3339, optional
  bool Flag(std::string_view key, bool default_value = false);
  // An integer in [min, max]; `default_value` when missing (nullopt: required).
  int64_t Integer(std::string_view key, int64_t min, int64_t max,
                  std::optional<int64_t> default_value = std::nullopt);
  // One of `names` (e.g. store::NameOf values); nullopt after a problem.
  std::optional<std::string> OneOf(std::string_view key, const std::vector<std::string>& names,
                                   bool required = true);
  // An array of at most `max_items` elements (empty when missing and not required); the
  // elements' path is "key[i]" (ElementPath).
  const nlohmann::json::array_t& Array(std::string_view key, size_t max_items,
                                       bool required = true);
  std::vector<std::string> TextArray(std::string_view key, size_t max_items, TextRules rules = {});
  // A nested object, or nullptr when missing and not required.
  const nlohmann::json* Object(std::string_view key, bool required = true);

  // Whether the object has `key` (with any value but null), for optional fields of updates.
  bool Has(std::string_view key) const;

  // The path of element `index` of array `key`, or of object `key`.
  std::string ElementPath(std::string_view key, size_t index) const;
  std::string FieldPath(std::string_view key) const;

  // Records a problem found by the caller (a nested reader's, or a value's meaning).
  void Fail(const Status& status);
  void Fail(std::string_view key, std::string_view expectation);
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // The first problem, or an unknown field; Ok otherwise.
  Status Finish();

 private:
  const nlohmann::json* Find(std::string_view key, bool required, std::string_view expected);

  const nlohmann::json& value_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
  Status status_;
};

}  // namespace lockbox::api
