// ReportMemo: what decoding an agent's report body gave, kept by the SHA-256 of the body, so
// that an agent sending the same bytes again (a check-in, most of the traffic) skips the JSON
// parse, the decoding and the validation. It holds no secret and no stored state: the
// summary is a function of the bytes alone, and whether they still describe what is stored
// is decided by the store at each check-in (service::EscrowService::CheckIn).
//
//   if (auto summary = memo.Find(computer_id, body)) ...  // EscrowService::CheckIn(actor,
//   *summary) memo.Remember(computer_id, body, EscrowService::Summarize(report));
//
// One entry per computer (its latest body), packed into one allocation: about 200 bytes for
// a computer with a key and a user. At most `capacity` computers, beyond which an arbitrary
// entry makes room. Safe to use from many threads.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "service/escrow.h"
#include "util/guid.h"

namespace lockbox::api {

class ReportMemo {
 public:
  explicit ReportMemo(size_t capacity);

  std::optional<service::CheckInSummary> Find(const Guid& computer_id, std::string_view body);
  // A summary too large to pack (a name over 64 KiB: validation refuses those) is not kept.
  void Remember(const Guid& computer_id, std::string_view body,
                const service::CheckInSummary& summary);

 private:
  struct Entry {
    crypto::Sha256Digest body_hash{};
    std::string summary;  // packed: see report_memo.cc
  };
  // Sharded by computer, so that threads answering different agents rarely meet on a lock.
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Guid, Entry, GuidHash> entries;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(const Guid& computer_id);

  const size_t capacity_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace lockbox::api
