// TableReader: strict reading of one TOML table against the keys a config file may hold, with
// errors that name the file, the line and the key, and say what was expected. The server's
// config (config.h) and the agent's (agent/config/agent_config.h) read through it.
//
//   LOCKBOX_ASSIGN_OR_RETURN(toml::table root, config::ParseToml(text, "agent.toml"));
//   config::TableReader r("agent.toml", root, "");
//   LOCKBOX_RETURN_IF_ERROR(r.RejectUnknownKeys({"server_url", "state_dir"}));
//   LOCKBOX_RETURN_IF_ERROR(r.String("server_url", &url));  // absent: `url` keeps its default
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace lockbox::config {

// The TOML document in `text`; kInvalidArgument "FILE:LINE:COLUMN: not valid TOML: ...".
Result<toml::table> ParseToml(std::string_view text, const std::string& file_name);

// "a string", "an integer", ...: for messages.
const char* TypeName(toml::node_type type);

class TableReader {
 public:
  // `file` and `table` must outlive the reader; `prefix` ("limits.") is put before key names.
  TableReader(const std::string& file, const toml::table& table, std::string prefix)
      : file_(file), table_(table), prefix_(std::move(prefix)) {}

  // Rejects any key not in `known`: a misspelt key must not silently fall back to a default.
  Status RejectUnknownKeys(std::initializer_list<std::string_view> known) const;

  // Each reader below leaves *out alone when the key is absent.
  // A non-empty string without NUL characters (file names, addresses).
  Status String(std::string_view key, std::string* out) const;
  // A non-empty string of at most `max_bytes`.
  Status Text(std::string_view key, size_t max_bytes, std::optional<std::string>* out) const;
  // An array of 1 to `max_items` distinct non-empty strings of at most `max_bytes` each.
  Status StringList(std::string_view key, size_t max_items, size_t max_bytes,
                    std::optional<std::vector<std::string>>* out) const;
  Status Bool(std::string_view key, bool* out) const;

  template <typename T>
  Status Integer(std::string_view key, T min, T max, T* out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_integer();
    const std::string range =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (value == nullptr) return Expected(*node, key, range, TypeName(node->type()));
    const int64_t v = value->get();
    if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
      return Expected(*node, key, range, std::to_string(v));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }

  // A sub-table, or nullptr when absent.
  Result<const toml::table*> Table(std::string_view key) const;

  // kInvalidArgument "FILE:LINE: key 'KEY': WHAT".
  Status Error(std::string_view key, const std::string& what) const;

 private:
  std::string Where(const toml::node& node) const;
  Status Expected(const toml::node& node, std::string_view key, const std::string& expected,
                  const std::string& got) const;

  const std::string& file_;
  const toml::table& table_;
  std::string prefix_;
};

}  // namespace lockbox::config
