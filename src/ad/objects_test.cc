#include "ad/objects.h"

#include <gtest/gtest.h>

#include "util/utc_time.h"

namespace lockbox::ad {
namespace {

crypto::SecretBytes Secret(std::string_view text) {
  return crypto::SecretBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// msFVE-RecoveryGuid of {BDD640FB-0667-4AD1-9C80-317FA3B1799D} as AD returns it.
const std::string kKeyBytes("\xfb\x40\xd6\xbd\x67\x06\xd1\x4a\x9c\x80\x31\x7f\xa3\xb1\x79\x9d", 16);
const std::string kVolumeBytes(16, '\x11');
const std::string kName = "2019-02-28T10:31:05-08:00{BDD640FB-0667-4AD1-9C80-317FA3B1799D}";
const std::string kComputerDn = "CN=PC-01,OU=Workstations,DC=corp,DC=example";

ldap::Entry RecoveryEntry() {
  ldap::Entry entry;
  entry.dn = "CN=" + kName + "," + kComputerDn;
  entry.values["cn"] = {kName};
  entry.values["msfve-recoveryguid"] = {kKeyBytes};
  entry.values["msfve-volumeguid"] = {kVolumeBytes};
  entry.secrets["msfve-recoverypassword"].push_back(
      Secret("235818-357951-253979-013365-241120-245575-342914-591910"));
  entry.secrets["msfve-keypackage"].push_back(Secret("package"));
  return entry;
}

TEST(RecoveryObjectNameTest, ReadsTheTimeWithItsOffsetAndTheGuid) {
  auto name = ParseRecoveryObjectName(kName);
  ASSERT_TRUE(name.ok()) << name.status().message();
  EXPECT_EQ(FormatUtc(name->created_at), "2019-02-28T18:31:05Z");
  EXPECT_EQ(name->recovery_id.ToString(), "bdd640fb-0667-4ad1-9c80-317fa3b1799d");
}

TEST(RecoveryObjectNameTest, RefusesWhatWindowsDoesNotWrite) {
  for (const std::string bad :
       {"", "{BDD640FB-0667-4AD1-9C80-317FA3B1799D}", "2019-02-28T10:31:05-08:00",
        "2019-02-28T10:31:05-08:00[BDD640FB-0667-4AD1-9C80-317FA3B1799D]",
        "2019-02-30T10:31:05-08:00{BDD640FB-0667-4AD1-9C80-317FA3B1799D}",
        "2019-02-28T10:31:05-08:00{00000000-0000-0000-0000-000000000000}",
        "2019-02-28T10:31:05-08:00{BDD640FB-0667-4AD1-9C80-317FA3B1799Z}"}) {
    auto name = ParseRecoveryObjectName(bad);
    ASSERT_FALSE(name.ok()) << bad;
    EXPECT_EQ(name.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(GeneralizedTimeTest, ReadsWhatAdWritesAndRoundTrips) {
  auto t = ParseGeneralizedTime("20261201112844.0Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatUtc(*t), "2026-12-01T11:28:44Z");
  EXPECT_EQ(FormatGeneralizedTime(*t), "20261201112844.0Z");
  auto offset = ParseGeneralizedTime("20261201122844+0100");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, *t);
  for (const std::string bad : {"", "2026120111284.0Z", "20261301112844.0Z", "20261201112844.Z",
                                "20261201112844.0", "20261201112844+01", "2026-12-01T11:28:44Z"}) {
    EXPECT_FALSE(ParseGeneralizedTime(bad).ok()) << bad;
  }
}

TEST(BinaryGuidTest, IsSixteenMixedEndianBytes) {
  auto guid = ParseBinaryGuid("msFVE-RecoveryGuid", kKeyBytes);
  ASSERT_TRUE(guid.ok());
  EXPECT_EQ(guid->ToString(), "bdd640fb-0667-4ad1-9c80-317fa3b1799d");
  EXPECT_EQ(ParseBinaryGuid("msFVE-VolumeGuid", "short").status().message(),
            "msFVE-VolumeGuid is 5 bytes; a GUID is 16");
  EXPECT_FALSE(ParseBinaryGuid("objectGUID", std::string(16, '\0')).ok());
}

TEST(RecoveryInformationTest, ReadsAWindowsObject) {
  auto info = ParseRecoveryInformation(RecoveryEntry(), true);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->computer_dn, kComputerDn);
  EXPECT_EQ(info->key_id.ToString(), "bdd640fb-0667-4ad1-9c80-317fa3b1799d");
  EXPECT_EQ(info->volume_id.ToString(), "11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(info->recovery_password.size(), 55u);
  ASSERT_TRUE(info->key_package.has_value());
  EXPECT_FALSE(ParseRecoveryInformation(RecoveryEntry(), false)->key_package.has_value());
}

TEST(RecoveryInformationTest, SaysWhatIsWrongWithAnObject) {
  ldap::Entry no_password = RecoveryEntry();
  no_password.secrets.erase("msfve-recoverypassword");
  EXPECT_EQ(ParseRecoveryInformation(no_password, true).status().code(), ErrorCode::kNotFound);

  ldap::Entry other_guid = RecoveryEntry();
  other_guid.values["msfve-recoveryguid"] = {std::string(16, '\x22')};
  EXPECT_NE(ParseRecoveryInformation(other_guid, true).status().message().find("differs"),
            std::string::npos);

  ldap::Entry no_volume = RecoveryEntry();
  no_volume.values.erase("msfve-volumeguid");
  EXPECT_EQ(ParseRecoveryInformation(no_volume, true).status().message(),
            "msFVE-VolumeGuid is missing");

  ldap::Entry two_names = RecoveryEntry();
  two_names.values["cn"].push_back("again");
  EXPECT_EQ(ParseRecoveryInformation(two_names, true).status().message(),
            "cn has several values; it has one");
}

TEST(ComputerTest, ReadsNameDomainIdAndTpm) {
  ldap::Entry entry;
  entry.dn = kComputerDn;
  entry.values["samaccountname"] = {"PC-01$"};
  entry.values["objectguid"] = {kKeyBytes};
  entry.values["managedby"] = {"CN=Alice,DC=corp,DC=example"};
  entry.values["whenchanged"] = {"20261201112844.0Z"};
  entry.secrets["mstpm-ownerinformation"].push_back(Secret("c2VjcmV0b3duZXJhdXRoMTIzNA=="));
  auto computer = ParseComputer(entry);
  ASSERT_TRUE(computer.ok()) << computer.status().message();
  EXPECT_EQ(computer->name, "PC-01");
  EXPECT_EQ(computer->domain, "corp.example");
  EXPECT_EQ(computer->managed_by, "CN=Alice,DC=corp,DC=example");
  ASSERT_TRUE(computer->tpm_owner_information.has_value());
  EXPECT_EQ(FormatUtc(computer->changed_at), "2026-12-01T11:28:44Z");

  entry.secrets["mstpm-ownerinformation"][0] = Secret("not base64 at all!");
  EXPECT_FALSE(ParseComputer(entry).ok());
  entry.values.erase("objectguid");
  EXPECT_EQ(ParseComputer(entry).status().message(), "objectGUID is missing");
}

// What Samba returned for a computer carol (RID 1103) created, with only the owner asked for.
const std::string kOwnedDescriptor(
    "\x01\x00\x00\x80\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\xa8\x48\xe3\xcb\xc3\x90\x5c\xf5"
    "\x23\x68\xb9\x7f\x4f\x04\x00\x00",
    48);

TEST(OwnerSidTest, IsTheSidAtTheOwnerOffset) {
  auto sid = OwnerSidOf(kOwnedDescriptor);
  ASSERT_TRUE(sid.ok()) << sid.status().message();
  EXPECT_EQ(*sid, kOwnedDescriptor.substr(20));
  std::string no_owner = kOwnedDescriptor.substr(0, 20);
  no_owner[4] = 0;
  EXPECT_EQ(OwnerSidOf(no_owner).value(), "");
}

TEST(OwnerSidTest, RefusesOffsetsAndLengthsOutsideTheDescriptor) {
  EXPECT_FALSE(OwnerSidOf(kOwnedDescriptor.substr(0, 19)).ok());  // no whole header
  EXPECT_FALSE(OwnerSidOf(kOwnedDescriptor.substr(0, 47)).ok());  // the SID cut short
  std::string far = kOwnedDescriptor;
  far[4] = '\x2c';  // 44: the SID's 8-byte start would end past 48
  EXPECT_FALSE(OwnerSidOf(far).ok());
  std::string many = kOwnedDescriptor;
  many[21] = 16;  // more sub-authorities than a SID has
  EXPECT_FALSE(OwnerSidOf(many).ok());
  std::string absolute = kOwnedDescriptor;
  absolute[3] = 0;  // not self-relative: the offsets would be pointers
  EXPECT_FALSE(OwnerSidOf(absolute).ok());
}

TEST(UsnTest, IsANonNegativeDecimal) {
  EXPECT_EQ(ParseUsn("uSNChanged", "4002").value(), 4002);
  EXPECT_FALSE(ParseUsn("uSNChanged", "").ok());
  EXPECT_FALSE(ParseUsn("uSNChanged", "-1").ok());
  EXPECT_FALSE(ParseUsn("uSNChanged", "12a").ok());
}

TEST(TpmInformationTest, NeedsTheValueAndItsTime) {
  ldap::Entry entry;
  entry.dn = "CN=tpm,CN=TPM Devices,DC=corp,DC=example";
  entry.values["whenchanged"] = {"20261201112844.0Z"};
  EXPECT_EQ(ParseTpmInformation(entry).status().code(), ErrorCode::kNotFound);
  entry.secrets["mstpm-ownerinformation"].push_back(Secret("c2VjcmV0"));
  EXPECT_TRUE(ParseTpmInformation(entry).ok());
  entry.values.erase("whenchanged");
  EXPECT_EQ(ParseTpmInformation(entry).status().message(), "whenChanged is missing");
}

}  // namespace
}  // namespace lockbox::ad
