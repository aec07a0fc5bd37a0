// Feeds arbitrary bytes to the parsers of what Active Directory returns: the recovery
// object's name, binary GUIDs, GeneralizedTime, DNs, the users CSV, and whole entries built from
// the input (the first byte of each line picks the attribute its value goes to). None may crash; a
// parsed GUID and a UTC GeneralizedTime print back to text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ad/objects.h"
#include "ad/users_csv.h"
#include "ldap/dn.h"
#include "util/guid.h"

using namespace lockbox;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto name = ad::ParseRecoveryObjectName(text);
  if (name.ok()) {
    // The GUID prints back to text that parses to it (times with offsets may leave the years
    // FormatUtc prints, so they are not compared).
    auto again = Guid::Parse(name->recovery_id.ToString());
    if (!again.ok() || !(*again == name->recovery_id)) std::abort();
  }
  (void)ad::ParseBinaryGuid("objectGUID", text);
  auto time = ad::ParseGeneralizedTime(text);
  if (time.ok() && text.back() == 'Z') {  // UTC: the year stays in 0000-9999 and prints back
    auto again = ad::ParseGeneralizedTime(ad::FormatGeneralizedTime(*time));
    if (!again.ok() || *again != *time) std::abort();
  }
  (void)ldap::SplitDn(text);
  (void)ldap::ParentDn(text);
  (void)ldap::DnsDomainOf(text);
  (void)ldap::DnKey(text);
  (void)ldap::EscapeFilterValue(text);
  (void)ad::ParseComputerUsersCsv(text);

  // An entry: values separated by '\n', each going to the attribute its first byte selects.
  static const char* const kAttributes[] = {"cn",
                                            "msfve-recoverypassword",
                                            "msfve-recoveryguid",
                                            "msfve-volumeguid",
                                            "msfve-keypackage",
                                            "samaccountname",
                                            "objectguid",
                                            "managedby",
                                            "mstpm-ownerinformation",
                                            "mstpm-tpminformationforcomputer",
                                            "whenchanged"};
  constexpr size_t kCount = sizeof(kAttributes) / sizeof(kAttributes[0]);
  ldap::Entry entry;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view value = text.substr(start, end - start);
    if (first) {
      entry.dn = std::string(value);
      first = false;
    } else if (!value.empty()) {
      const std::string attribute = kAttributes[static_cast<uint8_t>(value[0]) % kCount];
      value.remove_prefix(1);
      if (attribute == "msfve-recoverypassword" || attribute == "msfve-keypackage" ||
          attribute == "mstpm-ownerinformation") {
        entry.secrets[attribute].emplace_back(
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
      } else {
        entry.values[attribute].emplace_back(value);
      }
    }
    start = end + 1;
  }
  (void)ad::ParseRecoveryInformation(entry, true);
  (void)ad::ParseComputer(entry);
  (void)ad::ParseTpmInformation(entry);
  return 0;
}
