#include "store/credential_cache.h"

#include <functional>

namespace lockbox::store::internal {

CredentialCache::CredentialCache(size_t capacity) : capacity_per_shard_(capacity / kShards + 1) {}

CredentialCache::Shard& CredentialCache::ShardOf(std::string_view id) {
  return shards_[std::hash<std::string_view>{}(id) % kShards];
}

std::optional<MachineCredential> CredentialCache::Find(std::string_view id) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.entries.find(std::string(id));
  if (it == shard.entries.end()) return std::nullopt;
  return it->second;
}

void CredentialCache::Remember(const MachineCredential& credential, uint64_t epoch) {
  Shard& shard = ShardOf(credential.id);
  std::lock_guard lock(shard.mutex);
  // Under the shard's lock, as Forget bumps the epoch: a Forget of this ID either ran before
  // (and the epoch says so) or runs after (and erases what is kept here).
  if (epoch_.load() != epoch) return;
  if (shard.entries.size() >= capacity_per_shard_ && !shard.entries.contains(credential.id)) {
    shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(credential.id, credential);
}

void CredentialCache::Forget(std::string_view id) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mutex);
  epoch_.fetch_add(1);
  shard.entries.erase(std::string(id));
}

}  // namespace lockbox::store::internal
