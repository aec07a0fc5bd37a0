#include "api/report_memo.h"

#include <algorithm>

#include "crypto/secret.h"
#include "util/bytes.h"

namespace lockbox::api {
namespace {

crypto::Sha256Digest HashOf(std::string_view body) {
  return crypto::Sha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}

// A summary packed into one string (the computer's id is the entry's key):
//   digest (32 bytes) | TPM owner auth (1) | secret count (2) | secrets | users
// a secret is its key id (16 bytes), outcome (1) and kind (text); a user is text; text is
// its length (2 bytes, little-endian) and bytes. Check-ins are most of the traffic of a fleet
// of up to a million computers, so an entry is kept small rather than as CheckInSummary's
// vectors of strings (some 300 bytes).
constexpr size_t kMaxText = 0xffff;

void PutCount(std::string& out, size_t n) {
  uint8_t le[2];
  StoreLe16(le, static_cast<uint16_t>(n));
  out.append(reinterpret_cast<const char*>(le), sizeof le);
}

void PutText(std::string& out, std::string_view text) {
  PutCount(out, text.size());
  out.append(text);
}

std::optional<std::string> Pack(const service::CheckInSummary& summary) {
  if (summary.secrets.size() > kMaxText) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(summary.digest.data()), summary.digest.size());
  out.push_back(summary.has_tpm_owner_auth ? 1 : 0);
  PutCount(out, summary.secrets.size());
  for (const service::SecretOutcome& s : summary.secrets) {
    if (s.kind.size() > kMaxText) return std::nullopt;
    out.append(reinterpret_cast<const char*>(s.key_id.bytes.data()), s.key_id.bytes.size());
    out.push_back(static_cast<char>(s.outcome));
    PutText(out, s.kind);
  }
  for (const std::string& user : summary.users) {
    if (user.size() > kMaxText) return std::nullopt;
    PutText(out, user);
  }
  return out;
}

std::string TextOf(std::span<const uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// What Pack wrote (the memo's own bytes, never outside input).
service::CheckInSummary Unpack(const Guid& computer_id, std::string_view packed) {
  service::CheckInSummary summary;
  summary.computer_id = computer_id;
  ByteReader in({reinterpret_cast<const uint8_t*>(packed.data()), packed.size()});
  const auto digest = in.Bytes(summary.digest.size());
  std::copy(digest.begin(), digest.end(), summary.digest.begin());
  summary.has_tpm_owner_auth = in.U8() != 0;
  summary.secrets.resize(in.U16());
  for (service::SecretOutcome& s : summary.secrets) {
    if (const auto id = in.Bytes(16); id.size() == 16) s.key_id = Guid::FromBytes(id.first<16>());
    s.outcome = static_cast<store::WriteOutcome>(in.U8());
    s.kind = TextOf(in.Bytes(in.U16()));
  }
  while (in.remaining() > 0) summary.users.push_back(TextOf(in.Bytes(in.U16())));
  return summary;
}

}  // namespace

ReportMemo::ReportMemo(size_t capacity) : capacity_per_shard_(capacity / kShards + 1) {}

ReportMemo::Shard& ReportMemo::ShardOf(const Guid& computer_id) {
  return shards_[computer_id.bytes[15] % kShards];
}

std::optional<service::CheckInSummary> ReportMemo::Find(const Guid& computer_id,
                                                        std::string_view body) {
  const crypto::Sha256Digest hash = HashOf(body);
  std::string packed;
  {
    Shard& shard = ShardOf(computer_id);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(computer_id);
    if (it == shard.entries.end() || !crypto::ConstantTimeEqual(it->second.body_hash, hash)) {
      return std::nullopt;
    }
    packed = it->second.summary;
  }
  return Unpack(computer_id, packed);
}

void ReportMemo::Remember(const Guid& computer_id, std::string_view body,
                          const service::CheckInSummary& summary) {
  std::optional<std::string> packed = Pack(summary);
  const crypto::Sha256Digest hash = HashOf(body);
  Shard& shard = ShardOf(computer_id);
  std::lock_guard lock(shard.mutex);
  if (!packed) {
    shard.entries.erase(computer_id);  // an older body must not answer for this one
    return;
  }
  if (shard.entries.size() >= capacity_per_shard_ && !shard.entries.contains(computer_id)) {
    shard.entries.erase(shard.entries.begin());
  }
  packed->shrink_to_fit();
  shard.entries.insert_or_assign(computer_id,
                                 Entry{.body_hash = hash, .summary = std::move(*packed)});
}

}  // namespace lockbox::api
