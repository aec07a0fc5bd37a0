// Internal to store: the machine credentials a store read lately, by ID, so that an agent's
// request, which authenticates first, need not read its credential each time. On SQLite that
// read is four lookups into B-trees (the credential's ID index and row, its computer's) whose
// pages each commit makes cold again: a third of the server's CPU at a million computers.
//
// Only for a store that one server alone serves (SQLite): a revocation made by another
// instance would never reach this one's copy. The store forgets a credential once a write
// that changed it, or its computer's name, has committed; a lookup that raced that write does
// not remember what it read, as the epoch it began in has ended by then:
//
//   const uint64_t epoch = cache.Epoch();      // before reading
//   if (auto hit = cache.Find(id)) return *hit;
//   ... read the credential ...
//   cache.Remember(credential, epoch);
//
//   ... a write revoking `id` commits ...
//   cache.Forget(id);
//
// At most `capacity` credentials, beyond which an arbitrary one makes room. Safe to use from
// many threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/records.h"

namespace lockbox::store::internal {

class CredentialCache {
 public:
  explicit CredentialCache(size_t capacity);

  uint64_t Epoch() const { return epoch_.load(); }
  std::optional<MachineCredential> Find(std::string_view id);
  // Keeps `credential` unless something was forgotten since `epoch`.
  void Remember(const MachineCredential& credential, uint64_t epoch);
  void Forget(std::string_view id);

 private:
  // Sharded by ID, so that threads answering different agents rarely meet on a lock.
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, MachineCredential> entries;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(std::string_view id);

  const size_t capacity_per_shard_;
  std::atomic<uint64_t> epoch_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace lockbox::store::internal
