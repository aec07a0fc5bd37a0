// Recovery key IDs: how Windows names a recovery password, and how a helpdesk looks one up.
//
// The BitLocker recovery screen shows "Recovery key ID: 4381F759": the first 8 hex characters
// of the recovery-password protector's GUID, upper case. Elsewhere (manage-bde, Active
// Directory, Entra ID) the full ID is the GUID in braces, upper case:
// "{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}". A person asking for their key types whatever they
// see, so KeyIdPrefix accepts 8 to 32 hex characters in any case, with or without hyphens and
// braces, and normalises it for lookup.
#pragma once

#include <string>
#include <string_view>

#include "util/guid.h"
#include "util/status.h"

namespace lockbox::recovery {

// "4381F759": what the recovery screen shows.
std::string ShortKeyId(const Guid& protector_id);
// "{4381F759-C4F8-4DE0-BB61-FC33A831BDA5}".
std::string FullKeyId(const Guid& protector_id);

// A new random (version 4) GUID, as Windows gives a new protector.
Result<Guid> NewProtectorId();

// The start of a key ID, as typed by a person looking for a recovery password.
class KeyIdPrefix {
 public:
  // At least the first 8 hex characters of the key ID, at most all 32; hyphens only where the
  // GUID has them, braces optional, any case, surrounding whitespace ignored.
  // kInvalidArgument naming the offending character or saying how many characters are missing.
  static Result<KeyIdPrefix> Parse(std::string_view typed);

  // The hex characters in lower case, no hyphens: "4381f759" (8 to 32 characters).
  const std::string& hex() const { return hex_; }
  // How the key ID's canonical text (Guid::ToString) begins: the hex characters with the
  // GUID's hyphens after characters 8, 12, 16 and 20 where more follow: "4381f759-c4".
  std::string text() const;
  // True when all 32 hex characters were given, so at most one protector matches.
  bool complete() const { return hex_.size() == 32; }
  // True when `protector_id`'s key ID starts with this prefix.
  bool Matches(const Guid& protector_id) const;

 private:
  explicit KeyIdPrefix(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

}  // namespace lockbox::recovery
