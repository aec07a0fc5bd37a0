#include "agent_windows/windows_provider.h"

#include <gtest/gtest.h>

#include "bde/testing/synthetic_volume.h"
#include "crypto/base64.h"

namespace lockbox::agent {
namespace {

// WMI answers written down in wmi.h's JSON form, as a laptop with BitLocker on C: (TPM and a
// recovery password) and a data volume D: never encrypted would give them. Replayed by call;
// every call made is kept so a test can check what the provider asked of Windows.
constexpr char kLaptop[] = R"json({
  "queries": {
    "Win32_ComputerSystem": [{"Name": "PC-07", "Domain": "contoso.example", "PartOfDomain": true,
                              "UserName": "CONTOSO\\alice"}],
    "Win32_OperatingSystem": [{"Caption": "Microsoft Windows 11 Pro"}],
    "Win32_BIOS": [{"SerialNumber": "5CG1234XYZ"}],
    "Win32_ComputerSystemProduct": [{"UUID": "4C4C4544-0042-3510-8052-B4C04F4E3732"}],
    "Win32_EncryptableVolume": [
      {"DeviceID": "\\\\?\\Volume{6a2b4c1e-0000-0000-0000-100000000000}\\", "DriveLetter": "C:",
       "VolumeType": 0},
      {"DeviceID": "\\\\?\\Volume{6a2b4c1e-0000-0000-0000-200000000000}\\", "DriveLetter": "D:",
       "VolumeType": 1}],
    "Win32_Tpm": [{"IsActivated_InitialValue": true, "SpecVersion": "2.0, 0, 1.38"}]
  },
  "calls": {
    "C:": {
      "GetProtectionStatus": {"ReturnValue": 0, "ProtectionStatus": 1},
      "GetConversionStatus": {"ReturnValue": 0, "ConversionStatus": 1, "EncryptionPercentage": 100},
      "GetEncryptionMethod": {"ReturnValue": 0, "EncryptionMethod": 6},
      "GetKeyProtectors": {"ReturnValue": 0, "VolumeKeyProtectorID": [
        "{0A4E6C1F-7B21-4F0E-9A55-1D2C3B4A5F60}", "{7F3E2D1C-0B9A-4877-8655-443322110099}"]},
      "GetKeyProtectorType {0A4E6C1F-7B21-4F0E-9A55-1D2C3B4A5F60}":
          {"ReturnValue": 0, "KeyProtectorType": 1},
      "GetKeyProtectorType {7F3E2D1C-0B9A-4877-8655-443322110099}":
          {"ReturnValue": 0, "KeyProtectorType": 3},
      "GetKeyProtectorNumericalPassword {7F3E2D1C-0B9A-4877-8655-443322110099}":
          {"ReturnValue": 0, "NumericalPassword":
           "236808-089419-192665-212729-487586-000825-590051-362934"},
      "ProtectKeyWithNumericalPassword":
          {"ReturnValue": 0, "VolumeKeyProtectorID": "{11111111-2222-4333-8444-555555555555}"},
      "DeleteKeyProtector {7F3E2D1C-0B9A-4877-8655-443322110099}": {"ReturnValue": 0},
      "DeleteKeyProtector {0A4E6C1F-7B21-4F0E-9A55-1D2C3B4A5F60}":
          {"ReturnValue": 2150694941},
      "DeleteKeyProtector {99999999-9999-4999-8999-999999999999}":
          {"ReturnValue": 2147942487}
    },
    "D:": {
      "GetProtectionStatus": {"ReturnValue": 0, "ProtectionStatus": 0},
      "GetConversionStatus": {"ReturnValue": 0, "ConversionStatus": 0, "EncryptionPercentage": 0},
      "GetEncryptionMethod": {"ReturnValue": 0, "EncryptionMethod": 0},
      "GetKeyProtectors": {"ReturnValue": 0, "VolumeKeyProtectorID": []}
    },
    "Win32_Tpm": {
      "IsOwned": {"ReturnValue": 0, "IsOwned": true},
      "IsLockedOut": {"ReturnValue": 0, "IsLockedOut": true},
      "ResetAuthLockOut": {"ReturnValue": 0}
    }
  }
})json";

struct MadeCall {
  std::string object;  // "C:", "D:" or "Win32_Tpm"
  std::string method;
  nlohmann::json in;
};

class RecordedWmi : public Wmi {
 public:
  RecordedWmi(nlohmann::json answers, std::vector<MadeCall>* calls)
      : answers_(std::move(answers)), calls_(calls) {}

  Result<std::vector<nlohmann::json>> Query(const std::string& wmi_namespace,
                                            const std::string& wql) override {
    const std::string class_name = wql.substr(wql.rfind(' ') + 1);
    EXPECT_EQ(wmi_namespace, class_name == "Win32_EncryptableVolume" ? kVolumeNamespace
                             : class_name == "Win32_Tpm"             ? kTpmNamespace
                                                                     : kSystemNamespace);
    const nlohmann::json& queries = answers_["queries"];
    if (!queries.contains(class_name)) return std::vector<nlohmann::json>{};
    return queries[class_name].get<std::vector<nlohmann::json>>();
  }

  Result<nlohmann::json> Call(const std::string&, const std::string& object_path,
                              const std::string& method, const nlohmann::json& in) override {
    const std::string object = ObjectOf(object_path);
    calls_->push_back({object, method, in});
    std::string key = method;
    if (in.contains("VolumeKeyProtectorID")) {
      key += " " + in["VolumeKeyProtectorID"].get<std::string>();
    }
    const nlohmann::json& calls = answers_["calls"][object];
    if (!calls.contains(key)) return Status::Internal("no recorded answer to " + key);
    return calls[key];
  }

 private:
  // The drive letter of a recorded volume's path, or the class of a singleton's.
  std::string ObjectOf(const std::string& path) const {
    if (path == "Win32_Tpm=@") return "Win32_Tpm";
    for (const nlohmann::json& v : answers_["queries"]["Win32_EncryptableVolume"]) {
      std::string escaped;
      for (char c : v["DeviceID"].get<std::string>()) {
        if (c == '\\') escaped += '\\';
        escaped += c;
      }
      if (path == "Win32_EncryptableVolume.DeviceID=\"" + escaped + "\"") {
        return v["DriveLetter"].get<std::string>();
      }
    }
    ADD_FAILURE() << "a call on an unknown object " << path;
    return "";
  }

  nlohmann::json answers_;
  std::vector<MadeCall>* calls_;
};

Result<std::unique_ptr<bde::BlockReader>> NoRawAccess(const std::string& path) {
  return Status::PermissionDenied("cannot open " + path);
}

class WindowsProviderTest : public ::testing::Test {
 protected:
  WindowsProvider Provider(VolumeOpener opener = NoRawAccess) {
    return WindowsProvider(std::make_unique<RecordedWmi>(answers_, &calls_), std::move(opener));
  }
  const MadeCall* Made(const std::string& method) const {
    for (const MadeCall& c : calls_) {
      if (c.method == method) return &c;
    }
    return nullptr;
  }

  nlohmann::json answers_ = nlohmann::json::parse(kLaptop);
  std::vector<MadeCall> calls_;
};

TEST_F(WindowsProviderTest, MapsTheVolumesTheirStatusAndProtectors) {
  auto volumes = Provider().Volumes();
  ASSERT_TRUE(volumes.ok()) << volumes.status().message();
  ASSERT_EQ(volumes->size(), 2u);
  const VolumeInfo& c = (*volumes)[0];
  EXPECT_EQ(c.id.ToString(), "6a2b4c1e-0000-0000-0000-100000000000");  // the DeviceID's GUID
  EXPECT_EQ(c.drive_letter, "C:");
  EXPECT_EQ(c.type, "os");
  EXPECT_EQ(c.protection, "on");
  EXPECT_EQ(c.conversion, "encrypted");
  EXPECT_EQ(c.encryption_method, "XTS-AES 128");
  ASSERT_EQ(c.protectors.size(), 2u);
  EXPECT_EQ(c.protectors[0].type, "tpm");
  EXPECT_EQ(c.protectors[1].type, "recovery_password");
  EXPECT_EQ(c.protectors[1].id.ToString(), "7f3e2d1c-0b9a-4877-8655-443322110099");
  EXPECT_FALSE(c.metadata.has_value());  // the raw read was refused
  const VolumeInfo& d = (*volumes)[1];
  EXPECT_EQ(d.type, "fixed");
  EXPECT_EQ(d.protection, "off");
  EXPECT_EQ(d.conversion, "decrypted");
  EXPECT_EQ(d.encryption_method, "none");
  EXPECT_TRUE(d.protectors.empty());
}

TEST_F(WindowsProviderTest, ReadsTheMetadataRawAndTakesBitLockersVolumeGuid) {
  bde::testing::SyntheticVolumeSpec spec;
  spec.key_stretch_rounds = 1;
  auto built = bde::testing::BuildSyntheticVolume(spec);
  ASSERT_TRUE(built.ok()) << built.status().message();
  std::vector<std::string> opened;
  auto volumes =
      Provider([&](const std::string& path) -> Result<std::unique_ptr<bde::BlockReader>> {
        opened.push_back(path);
        return bde::MemoryBlockReader(built->image);
      }).Volumes();
  ASSERT_TRUE(volumes.ok()) << volumes.status().message();
  // Only the encrypted volume is read, by its drive letter.
  EXPECT_EQ(opened, std::vector<std::string>{"\\\\.\\C:"});
  const VolumeInfo& c = (*volumes)[0];
  EXPECT_EQ(c.id, built->volume_guid);
  ASSERT_TRUE(c.metadata.has_value());
  EXPECT_EQ(c.metadata->bytes.size(), 64u * 1024);
}

TEST_F(WindowsProviderTest, ReadsTheRecoveryPasswordOfTheNumericalPasswordProtector) {
  auto passwords = Provider().RecoveryPasswords();
  ASSERT_TRUE(passwords.ok()) << passwords.status().message();
  ASSERT_EQ(passwords->size(), 1u);
  const RecoveryPasswordInfo& p = (*passwords)[0];
  EXPECT_EQ(p.key_id.ToString(), "7f3e2d1c-0b9a-4877-8655-443322110099");
  EXPECT_EQ(p.volume_id.ToString(), "6a2b4c1e-0000-0000-0000-100000000000");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(p.password.data()), p.password.size()),
            "236808-089419-192665-212729-487586-000825-590051-362934");
}

TEST_F(WindowsProviderTest, RefusesARecoveryPasswordWindowsAnsweredDamaged) {
  answers_["calls"]["C:"]["GetKeyProtectorNumericalPassword {7F3E2D1C-0B9A-4877-8655-443322110099}"]
          ["NumericalPassword"] = "236808-089419-192665-212729-487586-000825-590051-362935";
  auto passwords = Provider().RecoveryPasswords();
  ASSERT_FALSE(passwords.ok());
  EXPECT_EQ(passwords.status().code(), ErrorCode::kInternal);
  // The message names the protector, never the digits.
  EXPECT_NE(passwords.status().message().find("7f3e2d1c"), std::string::npos);
  EXPECT_EQ(passwords.status().message().find("236808"), std::string::npos);
}

TEST_F(WindowsProviderTest, AddsANumericalPasswordProtectorAndReturnsItsId) {
  auto password =
      recovery::RecoveryPassword::Parse("236808-089419-192665-212729-487586-000825-590051-362934");
  ASSERT_TRUE(password.ok());
  auto id = Provider().AddRecoveryPassword(*Guid::Parse("6a2b4c1e-0000-0000-0000-100000000000"),
                                           *password);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->ToString(), "11111111-2222-4333-8444-555555555555");
  const MadeCall* call = Made("ProtectKeyWithNumericalPassword");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->object, "C:");
  EXPECT_EQ(call->in["FriendlyName"], "Lockbox");
  EXPECT_EQ(call->in["NumericalPassword"],
            "236808-089419-192665-212729-487586-000825-590051-362934");
}

TEST_F(WindowsProviderTest, AddToAVolumeThatIsNotThereIsNotFound) {
  auto password =
      recovery::RecoveryPassword::Parse("236808-089419-192665-212729-487586-000825-590051-362934");
  auto id = Provider().AddRecoveryPassword(*Guid::Parse("00000000-0000-4000-8000-000000000001"),
                                           *password);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Made("ProtectKeyWithNumericalPassword"), nullptr);
}

TEST_F(WindowsProviderTest, DeletesByTheProtectorIdAndMapsTheReturnCodes) {
  WindowsProvider provider = Provider();
  const Guid c = *Guid::Parse("6a2b4c1e-0000-0000-0000-100000000000");
  EXPECT_TRUE(
      provider.DeleteProtector(c, *Guid::Parse("7f3e2d1c-0b9a-4877-8655-443322110099")).ok());
  const Status last =
      provider.DeleteProtector(c, *Guid::Parse("0a4e6c1f-7b21-4f0e-9a55-1d2c3b4a5f60"));
  EXPECT_EQ(last.code(), ErrorCode::kUnsupported);  // FVE_E_KEY_REQUIRED
  EXPECT_NE(last.message().find("last key protector"), std::string::npos);
  const Status gone =
      provider.DeleteProtector(c, *Guid::Parse("99999999-9999-4999-8999-999999999999"));
  EXPECT_EQ(gone.code(), ErrorCode::kNotFound);  // E_INVALIDARG
}

TEST_F(WindowsProviderTest, ReportsTheTpmAndResetsItsLockoutWithTheOwnerAuthInBase64) {
  WindowsProvider provider = Provider();
  auto tpm = provider.Tpm();
  ASSERT_TRUE(tpm.ok()) << tpm.status().message();
  EXPECT_TRUE(tpm->present);
  EXPECT_TRUE(tpm->owned);
  EXPECT_TRUE(tpm->locked_out);
  EXPECT_FALSE(tpm->owner_auth.has_value());
  const std::vector<uint8_t> auth(20, 0x5a);
  ASSERT_TRUE(provider.ResetTpmLockout(crypto::SecretBytes(auth)).ok());
  const MadeCall* reset = Made("ResetAuthLockOut");
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->object, "Win32_Tpm");
  EXPECT_EQ(reset->in["OwnerAuth"], crypto::Base64Encode(auth));
}

TEST_F(WindowsProviderTest, AWrongOwnerAuthIsWrongKey) {
  answers_["calls"]["Win32_Tpm"]["ResetAuthLockOut"]["ReturnValue"] = 0x80280001u;
  const Status status = Provider().ResetTpmLockout(crypto::SecretBytes(std::vector<uint8_t>(20)));
  EXPECT_EQ(status.code(), ErrorCode::kWrongKey);
}

TEST_F(WindowsProviderTest, NoTpmInstanceMeansNoTpm) {
  answers_["queries"].erase("Win32_Tpm");
  auto tpm = Provider().Tpm();
  ASSERT_TRUE(tpm.ok());
  EXPECT_FALSE(tpm->present);
  EXPECT_EQ(Made("IsOwned"), nullptr);
}

TEST_F(WindowsProviderTest, DescribesTheComputer) {
  auto computer = Provider().Computer();
  ASSERT_TRUE(computer.ok()) << computer.status().message();
  EXPECT_EQ(computer->name, "PC-07");
  EXPECT_EQ(computer->domain, "contoso.example");
  EXPECT_EQ(computer->os, "Microsoft Windows 11 Pro");
  EXPECT_EQ(
      computer->hardware_ids,
      (std::vector<std::string>{"serial:5CG1234XYZ", "uuid:4C4C4544-0042-3510-8052-B4C04F4E3732"}));
  EXPECT_EQ(computer->users, std::vector<std::string>{"CONTOSO\\alice"});
  answers_["queries"]["Win32_ComputerSystem"][0]["PartOfDomain"] = false;  // a workgroup
  EXPECT_EQ(Provider().Computer()->domain, "");
}

TEST_F(WindowsProviderTest, ALockedVolumeIsReportedButItsPasswordNotAskedFor) {
  answers_["calls"]["C:"]["GetProtectionStatus"]["ProtectionStatus"] = 2;  // locked
  auto volumes = Provider().Volumes();
  ASSERT_TRUE(volumes.ok()) << volumes.status().message();
  EXPECT_EQ((*volumes)[0].protection, "unknown");
  auto passwords = Provider().RecoveryPasswords();
  ASSERT_TRUE(passwords.ok()) << passwords.status().message();
  EXPECT_TRUE(passwords->empty());
  EXPECT_EQ(Made("GetKeyProtectorNumericalPassword"), nullptr);
}

TEST(WmiReturnStatusTest, SaysWhatTheCodeMeansOrShowsIt) {
  EXPECT_TRUE(WmiReturnStatus("DeleteKeyProtector", 0).ok());
  const Status locked = WmiReturnStatus("GetKeyProtectorNumericalPassword", 0x80310000u);
  EXPECT_EQ(locked.code(), ErrorCode::kUnsupported);
  EXPECT_NE(locked.message().find("GetKeyProtectorNumericalPassword: the volume is locked"),
            std::string::npos);
  EXPECT_EQ(WmiReturnStatus("IsOwned", 0x80070005u).code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(WmiReturnStatus("GetKeyPackage", 0x80311234u).message().find("0x80311234"),
            std::string::npos);
}

}  // namespace
}  // namespace lockbox::agent
