// Checking and writing escrowed secrets: the pieces agent escrow (escrow.cc) and data
// migration (migration.cc) share, so both refuse the same things in the same words and store
// a recovery password in the same form. Internal to the service.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "crypto/secret.h"
#include "recovery/recovery_password.h"
#include "service/escrow.h"
#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

// The limits are escrow.h's. Text: at most kMaxTextBytes, no control characters; `required`: not
// empty.
Status CheckText(std::string_view what, std::string_view value, bool required);
Status CheckGuid(std::string_view what, const Guid& id);  // not all zero
// Why a recovery password is malformed (it must pass recovery::Check), naming blocks but
// never their digits: the digits of a nearly right password are most of the secret.
Status CheckRecoveryPassword(const Guid& key_id, const crypto::SecretBytes& password);
Status CheckKeyPackage(const Guid& key_id, const crypto::SecretBytes& key_package);
Status CheckTpmOwnerAuth(const crypto::SecretBytes& owner_auth);

// A password that passed CheckRecoveryPassword, parsed.
Result<recovery::RecoveryPassword> ParseCheckedPassword(const crypto::SecretBytes& password);

// Escrows `password` for `key` in its canonical form ("123456-..."), so the same password
// typed with spaces is the same key.
Result<store::WriteOutcome> EscrowPassword(store::Store& store, const store::RecoveryKey& key,
                                           const recovery::RecoveryPassword& password);

// The audit entry for a secret sent again with other content: the stored one was kept.
// `kind`: "recovery_password", "key_package" or "tpm_owner_auth".
Status AuditConflict(audit::AuditLog& audit, const Actor& actor, store::Time now,
                     const store::Computer& computer, const std::string& key_id,
                     std::string_view kind);

}  // namespace lockbox::service
