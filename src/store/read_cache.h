// Internal to store: records a store read lately, by ID, kept so that the reads most requests
// make need not reach the file again: on SQLite each such read descends B-trees whose pages
// every commit makes cold again. The store keeps two (sql_store.cc): machine credentials,
// which every agent request reads first, and what a computer's check-in compares its report
// with.
//
// Only for a store that one server alone serves (SQLite): a write made through another
// instance would never reach this one's copy. The store forgets a record once a write that
// changed it has committed; a lookup that raced that write does not keep what it read, as the
// epoch it began in has ended by then:
//
//   const uint64_t epoch = cache.Epoch();      // before reading
//   if (auto hit = cache.Find(id)) return *hit;
//   ... read the record ...
//   cache.Remember(id, record, epoch);
//
//   ... a write changing `id` commits ...
//   cache.Forget(id);
//
// Clear forgets everything (another process wrote to the store). At most `capacity` records,
// beyond which an arbitrary one makes room. Safe to use from many threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lockbox::store::internal {

template <typename T>
class ReadCache {
 public:
  explicit ReadCache(size_t capacity) : capacity_per_shard_(capacity / kShards + 1) {}

  uint64_t Epoch() const { return epoch_.load(); }

  std::optional<T> Find(std::string_view id) {
    Shard& shard = ShardOf(id);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(std::string(id));
    if (it == shard.entries.end()) return std::nullopt;
    return it->second;
  }

  // Keeps `record` as `id`'s unless something was forgotten since `epoch`.
  void Remember(std::string_view id, const T& record, uint64_t epoch) {
    Shard& shard = ShardOf(id);
    std::lock_guard lock(shard.mutex);
    // Under the shard's lock, as Forget moves the epoch: a Forget of this ID either ran before
    // (and the epoch says so) or runs after (and erases what is kept here).
    if (epoch_.load() != epoch) return;
    std::string key(id);
    if (shard.entries.size() >= capacity_per_shard_ && !shard.entries.contains(key)) {
      shard.entries.erase(shard.entries.begin());
    }
    shard.entries.insert_or_assign(std::move(key), record);
  }

  void Forget(std::string_view id) {
    Shard& shard = ShardOf(id);
    std::lock_guard lock(shard.mutex);
    epoch_.fetch_add(1);
    shard.entries.erase(std::string(id));
  }

  void Clear() {
    epoch_.fetch_add(1);  // first: a lookup that began before keeps nothing it read
    for (Shard& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      shard.entries.clear();
    }
  }

 private:
  // Sharded by ID, so that threads answering different agents rarely meet on a lock.
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, T> entries;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(std::string_view id) {
    return shards_[std::hash<std::string_view>{}(id) % kShards];
  }

  const size_t capacity_per_shard_;
  std::atomic<uint64_t> epoch_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace lockbox::store::internal
