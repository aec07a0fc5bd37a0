#include "store/database.h"

#include <chrono>

namespace lockbox::store::internal {

int64_t Row::Int(size_t i) const {
  const auto* v = std::get_if<int64_t>(&columns_.at(i));
  return v != nullptr ? *v : 0;
}

const std::string& Row::Text(size_t i) const {
  static const std::string kEmpty;
  const auto* v = std::get_if<std::string>(&columns_.at(i));
  return v != nullptr ? *v : kEmpty;
}

const std::vector<uint8_t>& Row::Bytes(size_t i) const {
  static const std::vector<uint8_t> kEmpty;
  const auto* v = std::get_if<std::vector<uint8_t>>(&columns_.at(i));
  return v != nullptr ? *v : kEmpty;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url_or_path) {
  if (url_or_path.starts_with("postgresql://") || url_or_path.starts_with("postgres://")) {
    return OpenPostgresDatabase(std::string(url_or_path));
  }
  if (url_or_path.empty()) {
    return Status::InvalidArgument(
        "no store given: pass a SQLite file path or a postgresql:// URL");
  }
  return OpenSqliteDatabase(std::string(url_or_path));
}

}  // namespace lockbox::store::internal
