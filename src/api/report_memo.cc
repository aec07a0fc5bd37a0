#include "api/report_memo.h"

#include <cstring>

#include "crypto/secret.h"

namespace lockbox::api {
namespace {

crypto::Sha256Digest HashOf(std::string_view body) {
  return crypto::Sha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}

}  // namespace

size_t ReportMemo::GuidHash::operator()(const Guid& id) const {
  // Computer IDs are random (version 4) GUIDs: their first bytes are hash enough.
  size_t h = 0;
  std::memcpy(&h, id.bytes.data(), sizeof h);
  return h;
}

ReportMemo::ReportMemo(size_t capacity) : capacity_per_shard_(capacity / kShards + 1) {}

ReportMemo::Shard& ReportMemo::ShardOf(const Guid& computer_id) {
  return shards_[computer_id.bytes[15] % kShards];
}

std::optional<service::CheckInSummary> ReportMemo::Find(const Guid& computer_id,
                                                        std::string_view body) {
  const crypto::Sha256Digest hash = HashOf(body);
  Shard& shard = ShardOf(computer_id);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.entries.find(computer_id);
  if (it == shard.entries.end() || !crypto::ConstantTimeEqual(it->second.body_hash, hash)) {
    return std::nullopt;
  }
  return it->second.summary;
}

void ReportMemo::Remember(const Guid& computer_id, std::string_view body,
                          service::CheckInSummary summary) {
  Entry entry{.body_hash = HashOf(body), .summary = std::move(summary)};
  Shard& shard = ShardOf(computer_id);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= capacity_per_shard_ && !shard.entries.contains(computer_id)) {
    shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(computer_id, std::move(entry));
}

}  // namespace lockbox::api
