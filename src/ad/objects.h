// The Active Directory objects `lockbox import ad` reads, parsed from LDAP entries: computers,
// their BitLocker recovery information (msFVE-RecoveryInformation) and TPM owner information
// (msTPM-OwnerInformation on the computer, or an msTPM-InformationObject it links to).
//
// Everything here comes from the directory and is treated as hostile: every value is checked
// for size and form, and a rejection says which attribute was wrong and why, never a secret's
// value. The attribute lists below are what the reader asks for.
//
// A recovery object is named by Windows "<creation time with offset>{<recovery GUID>}"
// (CN=2019-02-28T10:31:05-08:00{BDD640FB-0667-4AD1-9C80-317FA3B1799D}); msFVE-RecoveryGuid
// and msFVE-VolumeGuid hold GUIDs as 16 bytes in Windows' mixed-endian layout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "ldap/entry.h"
#include "util/guid.h"
#include "util/status.h"

namespace lockbox::ad {

using Time = std::chrono::sys_seconds;

// --- Computers (objectClass=computer).
inline const std::vector<std::string> kComputerAttributes = {"cn",
                                                             "sAMAccountName",
                                                             "objectGUID",
                                                             "managedBy",
                                                             "nTSecurityDescriptor",
                                                             "msTPM-OwnerInformation",
                                                             "msTPM-TpmInformationForComputer",
                                                             "whenChanged",
                                                             "uSNChanged"};
inline const std::vector<std::string> kComputerSecrets = {"msTPM-OwnerInformation"};

struct Computer {
  std::string dn;
  std::string name;        // sAMAccountName without its "$" (or cn when that is missing)
  std::string domain;      // DNS domain from the DN's DC= parts
  Guid id;                 // objectGUID
  std::string managed_by;  // a DN, or ""
  std::optional<crypto::SecretBytes> tpm_owner_information;  // Windows Server 2008 R2 style
  std::string tpm_object_dn;                                 // Windows Server 2012+, or ""
  // The SID (its bytes) of the object's owner, from nTSecurityDescriptor read with only the
  // owner asked for; "" when not read. The account that joined the computer to the domain,
  // unless a domain admin did (then Domain Admins).
  std::string owner_sid;
  Time changed_at{};        // whenChanged
  int64_t usn_changed = 0;  // uSNChanged: the domain controller's count at the last change
};
Result<Computer> ParseComputer(const ldap::Entry& entry);

// --- Recovery information (objectClass=msFVE-RecoveryInformation), children of computers.
inline const std::vector<std::string> kRecoveryAttributes = {
    "cn", "msFVE-RecoveryPassword", "msFVE-RecoveryGuid", "msFVE-VolumeGuid", "msFVE-KeyPackage"};
inline const std::vector<std::string> kRecoverySecrets = {"msFVE-RecoveryPassword",
                                                          "msFVE-KeyPackage"};

struct RecoveryInformation {
  std::string dn;
  std::string computer_dn;                // the parent object
  Time created_at{};                      // from the name
  Guid key_id;                            // msFVE-RecoveryGuid (the name's GUID must agree)
  Guid volume_id;                         // msFVE-VolumeGuid
  crypto::SecretBytes recovery_password;  // as AD holds it (55 characters)
  std::optional<crypto::SecretBytes> key_package;  // when present and asked for
};
// kNotFound when msFVE-RecoveryPassword is absent (not set, or not readable by the bind
// account: it is confidential); kInvalidArgument for anything else wrong.
Result<RecoveryInformation> ParseRecoveryInformation(const ldap::Entry& entry,
                                                     bool with_key_package);

// --- TPM information objects (objectClass=msTPM-InformationObject, in CN=TPM Devices).
inline const std::vector<std::string> kTpmAttributes = {"msTPM-OwnerInformation", "whenChanged"};
inline const std::vector<std::string> kTpmSecrets = {"msTPM-OwnerInformation"};

struct TpmInformation {
  std::string dn;
  crypto::SecretBytes owner_information;  // as AD holds it: the base64 text Windows wrote
  Time changed_at{};                      // whenChanged
};
// kNotFound when msTPM-OwnerInformation is absent (or not readable: it is confidential).
Result<TpmInformation> ParseTpmInformation(const ldap::Entry& entry);

// --- The values inside, for the parsers above and their fuzzer.
struct RecoveryObjectName {
  Time created_at{};
  Guid recovery_id;
};
// "2019-02-28T10:31:05-08:00{BDD640FB-0667-4AD1-9C80-317FA3B1799D}".
Result<RecoveryObjectName> ParseRecoveryObjectName(std::string_view name);
// 16 bytes of msFVE-RecoveryGuid, msFVE-VolumeGuid or objectGUID.
Result<Guid> ParseBinaryGuid(std::string_view attribute, std::string_view bytes);
// The owner SID, as its bytes, of a self-relative SECURITY_DESCRIPTOR (nTSecurityDescriptor:
// [MS-DTYP] 2.4.6; the owner SID at OffsetOwner, 2.4.2.2); "" when it names no owner.
// kInvalidArgument when an offset or a length lies outside it.
Result<std::string> OwnerSidOf(std::string_view security_descriptor);

// An update sequence number (uSNChanged, highestCommittedUSN): a decimal integer >= 0.
Result<int64_t> ParseUsn(std::string_view attribute, std::string_view text);

// An LDAP GeneralizedTime as AD writes it: "20261201112844.0Z" (a fraction and a +HHMM
// offset are accepted too).
Result<Time> ParseGeneralizedTime(std::string_view text);
// The GeneralizedTime text of `time` for filters: "20261201112844.0Z".
std::string FormatGeneralizedTime(Time time);

}  // namespace lockbox::ad
