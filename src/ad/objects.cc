#include "ad/objects.h"

#include <array>
#include <charconv>

#include "ldap/dn.h"
#include "util/ascii.h"
#include "util/utc_time.h"

namespace lockbox::ad {
namespace {

// Windows writes 55 characters; its blocks are checked where it is written
// (service::CheckMigrated), which names a bad block but never its digits.
constexpr size_t kMaxRecoveryPasswordBytes = 128;
constexpr size_t kMaxOwnerInformationBytes = 1024;
constexpr size_t kMaxNameBytes = 256;

std::string_view Text(const crypto::SecretBytes& secret) {
  return {reinterpret_cast<const char*>(secret.data()), secret.size()};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsBase64(std::string_view text) {
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

Status SingleValued(const ldap::Entry& entry, std::string_view attribute) {
  const std::string name = LowerAscii(attribute);
  const auto v = entry.values.find(name);
  const auto s = entry.secrets.find(name);
  if ((v != entry.values.end() && v->second.size() > 1) ||
      (s != entry.secrets.end() && s->second.size() > 1)) {
    return Status::InvalidArgument(std::string(attribute) + " has several values; it has one");
  }
  return Status::Ok();
}

Status CheckName(std::string_view what, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (value.size() > kMaxNameBytes) {
    return Status::InvalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(kMaxNameBytes) + " bytes");
  }
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " holds a control character");
    }
  }
  return Status::Ok();
}

Result<Time> OptionalTime(const ldap::Entry& entry, std::string_view attribute) {
  const std::string* text = entry.First(attribute);
  if (text == nullptr) return Time{};
  auto parsed = ParseGeneralizedTime(*text);
  if (!parsed.ok()) return parsed.status().WithContext(std::string(attribute));
  return parsed;
}

}  // namespace

Result<Time> ParseGeneralizedTime(std::string_view text) {
  const Status bad =
      Status::InvalidArgument("is not an LDAP GeneralizedTime like 20261201112844.0Z");
  if (text.size() < 15 || text.size() > 40) return bad;
  for (size_t i = 0; i < 14; ++i) {
    if (!IsDigit(text[i])) return bad;
  }
  size_t pos = 14;
  if (text[pos] == '.' || text[pos] == ',') {
    const size_t digits = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    if (pos == digits) return bad;
  }
  std::string offset;
  const std::string_view rest = text.substr(pos);
  if (rest == "Z") {
    offset = "Z";
  } else if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') && IsDigit(rest[1]) &&
             IsDigit(rest[2]) && IsDigit(rest[3]) && IsDigit(rest[4])) {
    offset = std::string(rest.substr(0, 3)) + ":" + std::string(rest.substr(3));
  } else {
    return bad;
  }
  const std::string rfc3339 =
      std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" +
      std::string(text.substr(6, 2)) + "T" + std::string(text.substr(8, 2)) + ":" +
      std::string(text.substr(10, 2)) + ":" + std::string(text.substr(12, 2)) + offset;
  auto parsed = ParseUtc(rfc3339);
  if (!parsed.ok()) return bad;
  return parsed;
}

std::string FormatGeneralizedTime(Time time) {
  // "2026-12-01T11:28:44Z" to "20261201112844.0Z".
  std::string out;
  for (const char c : FormatUtc(time)) {
    if (IsDigit(c)) out += c;
  }
  return out + ".0Z";
}

Result<Guid> ParseBinaryGuid(std::string_view attribute, std::string_view bytes) {
  if (bytes.size() != 16) {
    return Status::InvalidArgument(std::string(attribute) + " is " + std::to_string(bytes.size()) +
                                   " bytes; a GUID is 16");
  }
  std::array<uint8_t, 16> raw{};
  for (size_t i = 0; i < 16; ++i) raw[i] = static_cast<uint8_t>(bytes[i]);
  const Guid guid = Guid::FromBytes(raw);
  if (guid.IsZero()) return Status::InvalidArgument(std::string(attribute) + " is all zeros");
  return guid;
}

Result<RecoveryObjectName> ParseRecoveryObjectName(std::string_view name) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        "the name is not \"<date-time with offset>{<recovery GUID>}\" as Windows writes it "
        "(" +
        std::string(why) + ")");
  };
  constexpr size_t kBracedGuid = 38;  // "{8f595209-f5b9-49a0-85d4-cb8f80258c27}"
  if (name.size() <= kBracedGuid || name.size() > 64) return bad("wrong length");
  const std::string_view time = name.substr(0, name.size() - kBracedGuid);
  const std::string_view guid = name.substr(name.size() - kBracedGuid);
  if (guid.front() != '{' || guid.back() != '}') return bad("no {GUID} at the end");
  auto id = Guid::Parse(guid);
  if (!id.ok()) return bad("the GUID is malformed");
  if (id->IsZero()) return bad("the GUID is all zeros");
  auto created = ParseUtc(time);
  if (!created.ok()) return bad("the date-time is malformed");
  return RecoveryObjectName{.created_at = *created, .recovery_id = *id};
}

Result<std::string> OwnerSidOf(std::string_view descriptor) {
  constexpr size_t kHeaderBytes = 20;  // revision, sbz1, control, four 32-bit offsets
  constexpr uint16_t kSelfRelative = 0x8000;
  const auto bad = [](const std::string& why) {
    return Status::InvalidArgument("nTSecurityDescriptor " + why);
  };
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(descriptor[i]); };
  if (descriptor.size() < kHeaderBytes) return bad("is shorter than its header");
  if (byte(0) != 1) return bad("has revision " + std::to_string(byte(0)) + ", not 1");
  const auto control = static_cast<uint16_t>(byte(2) | byte(3) << 8);
  if ((control & kSelfRelative) == 0) return bad("is not in self-relative form");
  const uint32_t offset = static_cast<uint32_t>(byte(4)) | static_cast<uint32_t>(byte(5)) << 8 |
                          static_cast<uint32_t>(byte(6)) << 16 |
                          static_cast<uint32_t>(byte(7)) << 24;
  if (offset == 0) return std::string();
  // SID: revision 1, sub-authority count (at most 15), 6 bytes of authority, 4 bytes each.
  if (offset < kHeaderBytes || offset > descriptor.size() - 8) {
    return bad("names an owner outside it");
  }
  const size_t count = byte(offset + 1);
  if (byte(offset) != 1 || count > 15) return bad("has an owner SID of an unknown form");
  const size_t length = 8 + 4 * count;
  if (length > descriptor.size() - offset) return bad("has an owner SID running past its end");
  return std::string(descriptor.substr(offset, length));
}

Result<int64_t> ParseUsn(std::string_view attribute, std::string_view text) {
  int64_t usn = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), usn);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || usn < 0) {
    return Status::InvalidArgument(std::string(attribute) + " is not a non-negative integer");
  }
  return usn;
}

Result<Computer> ParseComputer(const ldap::Entry& entry) {
  Computer computer;
  computer.dn = entry.dn;
  for (const std::string& attribute : kComputerAttributes) {
    LOCKBOX_RETURN_IF_ERROR(SingleValued(entry, attribute));
  }
  const std::string* guid = entry.First("objectGUID");
  if (guid == nullptr) return Status::InvalidArgument("objectGUID is missing");
  LOCKBOX_ASSIGN_OR_RETURN(computer.id, ParseBinaryGuid("objectGUID", *guid));
  if (const std::string* account = entry.First("sAMAccountName")) {
    computer.name = *account;
    if (!computer.name.empty() && computer.name.back() == '$') computer.name.pop_back();
  } else if (const std::string* cn = entry.First("cn")) {
    computer.name = *cn;
  }
  LOCKBOX_RETURN_IF_ERROR(CheckName("the computer's name (sAMAccountName)", computer.name));
  computer.domain = ldap::DnsDomainOf(entry.dn);
  if (const std::string* manager = entry.First("managedBy")) computer.managed_by = *manager;
  if (const std::string* descriptor = entry.First("nTSecurityDescriptor")) {
    LOCKBOX_ASSIGN_OR_RETURN(computer.owner_sid, OwnerSidOf(*descriptor));
  }
  if (const std::string* tpm = entry.First("msTPM-TpmInformationForComputer")) {
    computer.tpm_object_dn = *tpm;
  }
  if (const crypto::SecretBytes* owner = entry.FirstSecret("msTPM-OwnerInformation")) {
    if (owner->size() > kMaxOwnerInformationBytes || !IsBase64(Text(*owner))) {
      return Status::InvalidArgument(
          "msTPM-OwnerInformation is not the base64 text of an owner authorisation");
    }
    computer.tpm_owner_information = owner->Clone();
  }
  LOCKBOX_ASSIGN_OR_RETURN(computer.changed_at, OptionalTime(entry, "whenChanged"));
  if (const std::string* usn = entry.First("uSNChanged")) {
    LOCKBOX_ASSIGN_OR_RETURN(computer.usn_changed, ParseUsn("uSNChanged", *usn));
  }
  return computer;
}

Result<RecoveryInformation> ParseRecoveryInformation(const ldap::Entry& entry,
                                                     bool with_key_package) {
  for (const std::string& attribute : kRecoveryAttributes) {
    LOCKBOX_RETURN_IF_ERROR(SingleValued(entry, attribute));
  }
  RecoveryInformation info;
  info.dn = entry.dn;
  info.computer_dn = std::string(ldap::ParentDn(entry.dn));
  const std::string* cn = entry.First("cn");
  if (cn == nullptr) return Status::InvalidArgument("cn is missing");
  LOCKBOX_ASSIGN_OR_RETURN(const RecoveryObjectName name, ParseRecoveryObjectName(*cn));
  info.created_at = name.created_at;
  info.key_id = name.recovery_id;
  if (const std::string* guid = entry.First("msFVE-RecoveryGuid")) {
    LOCKBOX_ASSIGN_OR_RETURN(const Guid key_id, ParseBinaryGuid("msFVE-RecoveryGuid", *guid));
    if (!(key_id == name.recovery_id)) {
      return Status::InvalidArgument("msFVE-RecoveryGuid (" + key_id.ToString() +
                                     ") differs from the GUID in the name (" +
                                     name.recovery_id.ToString() + ")");
    }
  }
  const std::string* volume = entry.First("msFVE-VolumeGuid");
  if (volume == nullptr) return Status::InvalidArgument("msFVE-VolumeGuid is missing");
  LOCKBOX_ASSIGN_OR_RETURN(info.volume_id, ParseBinaryGuid("msFVE-VolumeGuid", *volume));

  const crypto::SecretBytes* password = entry.FirstSecret("msFVE-RecoveryPassword");
  if (password == nullptr) return Status::NotFound("msFVE-RecoveryPassword is missing");
  if (password->size() > kMaxRecoveryPasswordBytes) {
    return Status::InvalidArgument("msFVE-RecoveryPassword is " + std::to_string(password->size()) +
                                   " bytes, far longer than a recovery password");
  }
  info.recovery_password = password->Clone();
  if (with_key_package) {
    if (const crypto::SecretBytes* package = entry.FirstSecret("msFVE-KeyPackage")) {
      info.key_package = package->Clone();
    }
  }
  return info;
}

Result<TpmInformation> ParseTpmInformation(const ldap::Entry& entry) {
  for (const std::string& attribute : kTpmAttributes) {
    LOCKBOX_RETURN_IF_ERROR(SingleValued(entry, attribute));
  }
  TpmInformation info;
  info.dn = entry.dn;
  const crypto::SecretBytes* owner = entry.FirstSecret("msTPM-OwnerInformation");
  if (owner == nullptr) return Status::NotFound("msTPM-OwnerInformation is missing");
  if (owner->empty() || owner->size() > kMaxOwnerInformationBytes || !IsBase64(Text(*owner))) {
    return Status::InvalidArgument(
        "msTPM-OwnerInformation is not the base64 text of an owner authorisation");
  }
  info.owner_information = owner->Clone();
  LOCKBOX_ASSIGN_OR_RETURN(info.changed_at, OptionalTime(entry, "whenChanged"));
  if (info.changed_at == Time{}) return Status::InvalidArgument("whenChanged is missing");
  return info;
}

}  // namespace lockbox::ad
