// The records Lockbox keeps about computers, their BitLocker volumes and the secrets that
// recover them. Plain values: the store fills them in and takes them back; secrets are never
// in them (see Store::OpenRecoveryPassword and friends in store/store.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/guid.h"

namespace lockbox::store {

// Times are whole seconds since the Unix epoch, UTC.
using Time = std::chrono::sys_seconds;

struct Computer {
  Guid id;  // the agent's machine identity, or the Active Directory objectGUID on import
  std::string name;
  std::string domain;
  std::string os;
  // Identifiers that survive a reinstall ("smbios-uuid:...", "serial:..."); kept sorted and
  // without duplicates, so two reports listing them in another order are the same.
  std::vector<std::string> hardware_ids;
  std::optional<Time> last_contact;

  friend bool operator==(const Computer&, const Computer&) = default;
};

enum class VolumeType { kOperatingSystem, kFixed, kRemovable };
enum class ProtectionStatus { kOff, kOn, kUnknown };
enum class ConversionStatus {
  kDecrypted,
  kEncrypted,
  kEncrypting,
  kDecrypting,
  kEncryptionPaused,
  kDecryptionPaused,
};
// Key protector types as Win32_EncryptableVolume::GetKeyProtectorType reports them.
enum class ProtectorType {
  kUnknown,
  kTpm,
  kExternalKey,
  kRecoveryPassword,
  kTpmPin,
  kTpmStartupKey,
  kTpmPinStartupKey,
  kPublicKey,
  kPassword,
  kTpmNetworkKey,
  kAdAccount,
};

struct Protector {
  Guid id;
  ProtectorType type = ProtectorType::kUnknown;
  friend bool operator==(const Protector&, const Protector&) = default;
};

struct Volume {
  Guid id;  // BitLocker's volume GUID (msFVE-VolumeGuid in Active Directory)
  Guid computer_id;
  std::string drive_letter;  // "C:", or empty when not mounted
  VolumeType type = VolumeType::kFixed;
  std::string description;
  std::string encryption_method;  // as Windows names it: "XTS-AES 128"
  ProtectionStatus protection = ProtectionStatus::kUnknown;
  ConversionStatus conversion = ConversionStatus::kDecrypted;
  std::vector<Protector> protectors;  // kept sorted by id

  friend bool operator==(const Volume&, const Volume&) = default;
};

// Whether `text` is a drive letter as Windows writes it: an ASCII letter and a colon ("C:").
bool IsDriveLetter(std::string_view text);

// A recovery password's life: escrowed (active), shown to someone and waiting for the agent
// to replace it (disclosed), replaced (retired). It never goes back.
enum class KeyState { kActive, kDisclosed, kRetired };
// Whether the escrowed password was checked against the volume's metadata.
enum class Verification { kUnknown, kVerified, kMismatch };

// What the store knows about a recovery password, without the password.
struct RecoveryKey {
  Guid key_id;  // the recovery-password protector's GUID
  Guid volume_id;
  std::optional<Time> created_at;  // when Windows made the protector, if known
  KeyState state = KeyState::kActive;
  Verification verification = Verification::kUnknown;
  Time escrowed_at{};
  std::string source;  // who escrowed it: "agent:<computer name>", "migration:ad", ...
  std::optional<Time> state_changed_at;

  friend bool operator==(const RecoveryKey&, const RecoveryKey&) = default;
};

struct ComputerUser {
  std::string user;  // account name, lower case: "contoso\\alice"
  Time first_seen{};
  Time last_seen{};
  friend bool operator==(const ComputerUser&, const ComputerUser&) = default;
};

// One row of the append-only audit log. The store assigns `sequence` and `prev_hash`; the
// audit part computes `hash` over the rest (see Store::AppendAudit).
struct AuditEntry {
  int64_t sequence = 0;
  Time time{};
  std::string actor;
  std::string role;
  std::string source;  // client address or job name
  std::string computer;
  std::string key_id;
  std::string key_type;  // "recovery_password", "key_package", "tpm_owner_auth"
  std::string reason;
  std::string end_user;
  std::string result;
  std::vector<uint8_t> prev_hash;
  std::vector<uint8_t> hash;

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// Which audit entries to read (Store::FindAudit). Empty strings and nullopt match anything.
struct AuditQuery {
  int64_t first = 1;  // the sequence to start from
  size_t max_entries = 100;
  std::optional<Time> since{};  // time >= since
  std::optional<Time> until{};  // time < until
  std::string source{};         // exactly
  std::string key_type{};       // exactly
  // The result itself ("disclosed") or its code before the colon ("not_found" matches
  // "not_found: no recovery key ...").
  std::string result{};
  std::string user{};  // the actor or the end user, ignoring ASCII case
  // A computer's name ignoring ASCII case, or its GUID ("PC-07" and "0b1d7f1e-..." both match
  // "PC-07 (0b1d7f1e-...)").
  std::string computer{};
};

// How many computers were in each compliance state on one day (Store::RecordCompliance).
struct ComplianceSnapshot {
  Time day{};  // midnight UTC
  int64_t compliant = 0;
  int64_t noncompliant = 0;
  int64_t unknown = 0;  // no volume reported yet
  friend bool operator==(const ComplianceSnapshot&, const ComplianceSnapshot&) = default;
};

// One setting an admin changed while the server runs (service/settings.h gives the names and
// reads the values); a setting without a row keeps the config's value.
struct Setting {
  std::string name;   // "drive_unlock_reasons"
  std::string value;  // the service's text form of the value
  std::string changed_by;
  Time changed_at{};
  friend bool operator==(const Setting&, const Setting&) = default;
};

// What the store remembers of a computer's agent between reports, so that a report repeating
// the last one (the bulk of all traffic) is answered from one read.
struct CheckIn {
  // SHA-256 of the last report the escrow service fully processed (empty: none yet, or one
  // of the computer's keys awaits rotation: the store keeps no digest beside such a key).
  std::vector<uint8_t> report_digest;
  // The computer's recovery passwords that are disclosed and wait to be replaced (empty when
  // there is a digest).
  std::vector<Guid> awaiting_rotation;
};

// A computer seen at `at` with these users logged on (contact, not content), its agent
// authenticated by the machine credential `credential_id` ("" when not known).
struct Contact {
  Guid computer_id;
  Time at{};
  std::vector<std::string> users;  // lower case, known to the store already
  std::string credential_id;
};

// --- Accounts and credentials. The auth part (src/auth) decides what they mean; the store
// keeps them. Every token is stored only as the SHA-256 of its text, and a password only as
// its argon2id hash: nothing here lets someone who reads the database sign in.

// A local account: a person who signs in with a password, or a service account (no password)
// that uses API tokens only.
struct User {
  std::string name;  // unique, as the auth part normalised it (lower case)
  std::string display_name;
  std::string role;  // a role name ("helpdesk"); the store does not interpret it
  bool service_account = false;
  // argon2id in its encoded form ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), which
  // carries its own parameters; empty for a service account.
  std::string password_hash;
  bool must_change_password = false;
  bool disabled = false;
  int64_t failed_logins = 0;  // consecutive failures since the last sign-in or lockout
  std::optional<Time> locked_until;
  std::optional<Time> last_login;
  Time created_at{};
  std::optional<Time> password_changed_at;
  // Empty for a local account. For an account whose password and role come from Active
  // Directory, the DNS domain it signs in to ("corp.example"); it has no password here.
  std::string directory;

  friend bool operator==(const User&, const User&) = default;
};

// A signed-in browser. Deleted on logout, revocation or expiry.
struct Session {
  std::string id;                   // public: for listing and revoking, not for signing in
  std::vector<uint8_t> token_hash;  // SHA-256 of the session token (the cookie)
  std::vector<uint8_t> csrf_hash;   // SHA-256 of the session's CSRF token
  std::string user_name;
  std::string address;  // the client address at sign-in
  Time created_at{};
  Time last_seen{};   // for the idle timeout
  Time expires_at{};  // absolute: the session ends then whatever its use

  friend bool operator==(const Session&, const Session&) = default;
};

// A bearer token for scripts and integrations, acting as `user_name` with `role`.
struct ApiToken {
  std::string id;  // public, also part of the token's text
  std::vector<uint8_t> token_hash;
  std::string user_name;
  std::string role;
  std::string description;
  std::string created_by;
  Time created_at{};
  Time expires_at{};
  std::optional<Time> revoked_at;
  std::optional<Time> last_used;

  friend bool operator==(const ApiToken&, const ApiToken&) = default;
};

// Lets agents enroll their computer, up to max_uses times until expires_at.
struct EnrollmentToken {
  std::string id;
  std::vector<uint8_t> token_hash;
  std::string description;
  std::string created_by;
  Time created_at{};
  Time expires_at{};
  int64_t max_uses = 1;
  int64_t uses = 0;
  std::optional<Time> revoked_at;

  friend bool operator==(const EnrollmentToken&, const EnrollmentToken&) = default;
};

// The credential an agent signs in with: it speaks for `computer_id` only.
struct MachineCredential {
  std::string id;
  std::vector<uint8_t> token_hash;
  Guid computer_id;
  std::string enrollment_token_id;  // the enrollment token that issued it
  Time created_at{};
  std::optional<Time> revoked_at;
  std::optional<Time> last_used;
  // The computer's name, read with the credential (not part of its row): what an agent's
  // actions are recorded under, without reading the computer at each request.
  std::string computer_name;

  friend bool operator==(const MachineCredential&, const MachineCredential&) = default;
};

// What a write did. Writing what is already stored is kUnchanged, so agents can retry freely.
enum class WriteOutcome {
  kCreated,
  kUpdated,
  kUnchanged,
  // A secret with this ID is stored with other content (another password, another volume);
  // nothing was written. Someone should look: a cloned disk, a buggy agent, or an attack.
  kConflict,
  // The store holds a newer value (by its timestamp); nothing was written.
  kStale,
};

// Stable lower-case names ("disclosed", "tpm_pin", "os") used in the database and in JSON.
std::string_view NameOf(VolumeType v);
std::string_view NameOf(ProtectionStatus v);
std::string_view NameOf(ConversionStatus v);
std::string_view NameOf(ProtectorType v);
std::string_view NameOf(KeyState v);
std::string_view NameOf(Verification v);
std::string_view NameOf(WriteOutcome v);

// The value named `name`, or nullopt. Parse<KeyState>("retired").
template <typename Enum>
std::optional<Enum> Parse(std::string_view name);

}  // namespace lockbox::store
