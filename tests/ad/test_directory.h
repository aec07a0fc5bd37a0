// What the tests of tests/ad share: the directory they all read (added to the one Samba DC a
// test binary starts) and a fixture that starts it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "crypto/base64.h"
#include "crypto/secret.h"
#include "ldap/connection.h"
#include "samba_dc.h"
#include "util/guid.h"

namespace lockbox {

using testing::SambaDc;

// People who sign in (AD sign-in tests): carol is in Tier 1, which is in Lockbox Helpdesk.
inline const std::string kAlicePassword = "Passw0rd!Alice1";
inline const std::string kCarolPassword = "Passw0rd!Carol1";

// LDIF lines giving a user a password and enabling the account: unicodePwd is the password in
// double quotes, UTF-16LE; 512 is a normal account.
inline std::string UserPasswordLdif(const std::string& password) {
  std::vector<uint8_t> utf16;
  for (const char c : "\"" + password + "\"") {
    utf16.push_back(static_cast<uint8_t>(c));
    utf16.push_back(0);
  }
  return "unicodePwd:: " + crypto::Base64Encode(utf16) + "\nuserAccountControl: 512\n";
}

inline const std::string kBase = "DC=corp,DC=example,DC=test";
inline const std::string kTest = "OU=Lockbox Test," + kBase;
inline const std::string kWorkstations = "OU=Workstations," + kTest;
inline const std::string kCarol = "CN=Carol Example," + kTest;
inline const std::string kTier1 = "CN=Tier 1," + kTest;
inline const std::string kLockboxHelpdesk = "CN=Lockbox Helpdesk," + kTest;
// Domain users may create computers here (as joining one to the domain does), and then own
// them: create child (CC) of class computer (bf967a86-...) for DU.
inline const std::string kJoined = "OU=Joined," + kTest;
inline const std::string kJoinedSddl =
    "O:DAG:DAD:AI(OA;;CC;bf967a86-0de6-11d0-a285-00aa003049e2;;DU)(A;;RPLCLORC;;;AU)(A;;GA;;;DA)";

// Valid recovery passwords (every block 11 x a 16-bit value) and one with a bad block.
inline const std::string kPassword1 = "235818-357951-253979-013365-241120-245575-342914-591910";
inline const std::string kPassword2 = "042647-302313-590458-071500-554323-116567-412181-516978";
inline const std::string kPassword3 = "000011-000022-000033-000044-000055-000066-000077-000088";
inline const std::string kPassword4 = "111111-222222-333333-444444-555555-666666-000000-123453";
inline const std::string kBadChecksum = "111111-222222-333333-444444-555555-666666-000000-123456";

inline std::string Key(int n) { return "4381f759-c4f8-4de0-bb61-fc33a831bd0" + std::to_string(n); }
inline std::string Volume(int n) {
  return "8f595209-f5b9-49a0-85d4-cb8f80258c2" + std::to_string(n);
}

// A GUID as LDIF writes msFVE-RecoveryGuid: base64 of its 16 mixed-endian bytes.
inline std::string GuidLdif(const std::string& text) {
  return crypto::Base64Encode(Guid::Parse(text).value().bytes);
}

inline std::string RecoveryLdif(const std::string& name, const std::string& computer_dn, int n,
                                const std::string& password, bool volume = true) {
  std::string rdn_value;  // "+" joins RDNs in a DN: AD writes a positive offset as "\+01:00"
  for (const char c : name) rdn_value += c == '+' ? std::string("\\+") : std::string(1, c);
  std::string ldif =
      "dn: CN=" + rdn_value + "," + computer_dn +
      "\nobjectClass: msFVE-RecoveryInformation\nmsFVE-RecoveryPassword: " + password +
      "\nmsFVE-RecoveryGuid:: " + GuidLdif(Key(n)) + "\n";
  if (volume) ldif += "msFVE-VolumeGuid:: " + GuidLdif(Volume(n)) + "\n";
  const std::string package = "key package " + std::to_string(n);
  ldif += "msFVE-KeyPackage:: " +
          crypto::Base64Encode({reinterpret_cast<const uint8_t*>(package.data()), package.size()}) +
          "\n";
  return ldif + "\n";
}

// The directory every test reads:
//   OU=Lockbox Test: users alice, bob and carol (alice and carol with passwords), the group
//                    Helpdesk, and Lockbox Helpdesk > Tier 1 > carol (nested groups);
//                    OU=Joined, where domain users may create computers
//   OU=Workstations: PC-01 (2 keys, TPM on the computer, managed by alice),
//                    PC-02 (a key, 3 invalid objects, a TPM object, managed by a group),
//     OU=Berlin:     PC-03 (a key, managed by bob)
inline std::string DirectoryLdif() {
  const std::string pc1 = "CN=PC-01," + kWorkstations;
  const std::string pc2 = "CN=PC-02," + kWorkstations;
  const std::string pc3 = "CN=PC-03,OU=Berlin," + kWorkstations;
  return "dn: " + kWorkstations + "\nobjectClass: organizationalUnit\n\n" + "dn: OU=Berlin," +
         kWorkstations + "\nobjectClass: organizationalUnit\n\n" + "dn: CN=Alice Example," + kTest +
         "\nobjectClass: user\nsAMAccountName: alice\n" + UserPasswordLdif(kAlicePassword) + "\n" +
         "dn: CN=Bob Example," + kTest + "\nobjectClass: user\nsAMAccountName: bob\n\n" +
         "dn: CN=Helpdesk," + kTest + "\nobjectClass: group\nsAMAccountName: helpdesk\n\n" +
         "dn: " + kCarol +
         "\nobjectClass: user\nsAMAccountName: carol\ndisplayName: Carol Example\n" +
         UserPasswordLdif(kCarolPassword) + "\n" + "dn: " + kTier1 +
         "\nobjectClass: group\nsAMAccountName: tier1\nmember: " + kCarol + "\n\n" +
         "dn: " + kLockboxHelpdesk +
         "\nobjectClass: group\nsAMAccountName: lockbox-helpdesk\nmember: " + kTier1 + "\n\n" +
         "dn: " + kJoined +
         "\nobjectClass: organizationalUnit\nnTSecurityDescriptor: " + kJoinedSddl + "\n\n" +
         "dn: CN=TPM-PC-02,CN=TPM Devices," + kBase +
         "\nobjectClass: msTPM-InformationObject\n"
         "msTPM-OwnerInformation: dHBtLW9iamVjdC1vd25lci1hdXRoLTAy\n\n" +
         "dn: " + pc1 + "\nobjectClass: computer\nsAMAccountName: PC-01$\n" +
         "managedBy: CN=Alice Example," + kTest + "\n" +
         "msTPM-OwnerInformation: Y29tcHV0ZXItb3duZXItYXV0aC0wMQ==\n\n" + "dn: " + pc2 +
         "\nobjectClass: computer\nsAMAccountName: PC-02$\n" + "managedBy: CN=Helpdesk," + kTest +
         "\n" + "msTPM-TpmInformationForComputer: CN=TPM-PC-02,CN=TPM Devices," + kBase + "\n\n" +
         "dn: " + pc3 + "\nobjectClass: computer\nsAMAccountName: PC-03$\n" +
         "managedBy: CN=Bob Example," + kTest + "\n\n" +
         RecoveryLdif("2019-02-28T10:31:05-08:00{" + Key(1) + "}", pc1, 1, kPassword1) +
         RecoveryLdif("2020-03-01T08:00:00+01:00{" + Key(2) + "}", pc1, 2, kPassword2) +
         RecoveryLdif("2021-01-01T00:00:00+00:00{" + Key(3) + "}", pc2, 3, kPassword3) +
         RecoveryLdif("not a name Windows writes", pc2, 4, kPassword4) +
         RecoveryLdif("2021-06-01T00:00:00+00:00{" + Key(5) + "}", pc2, 5, kBadChecksum) +
         RecoveryLdif("2021-07-01T00:00:00+00:00{" + Key(6) + "}", pc2, 6, kPassword4,
                      /*volume=*/false) +
         RecoveryLdif("2022-05-05T12:00:00+02:00{" + Key(7) + "}", pc3, 7, kPassword4);
}

class SambaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LOCKBOX_SAMBA_DC_OR_SKIP(started, DirectoryLdif());
    dc_ = &started;
  }
  const SambaDc& dc() const { return *dc_; }

  Result<std::unique_ptr<ldap::Connection>> Connect(const std::string& url,
                                                    const std::string& ca_file) const {
    return ldap::Connection::Open({.url = url, .ca_file = ca_file});
  }
  // Every entry below `base` in `scope`, with the attribute cn.
  static ldap::SearchRequest Request(const std::string& base, ldap::Scope scope,
                                     int page_size = 1000) {
    return {.base = base,
            .scope = scope,
            .filter = "(objectClass=*)",
            .attributes = {"cn"},
            .secret_attributes = {},
            .page_size = page_size};
  }
  static crypto::SecretBytes Secret(const std::string& text) {
    return crypto::SecretBytes(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

 private:
  const SambaDc* dc_ = nullptr;
};

}  // namespace lockbox
