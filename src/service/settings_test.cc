#include "service/settings.h"

#include <gtest/gtest.h>

#include "service/service_test_util.h"

namespace lockbox::service {
namespace {

using namespace lockbox::service::testing;

const Actor kAdmin = Person("root", Role::kAdmin, Source::kApi);

std::vector<store::AuditEntry> SettingChanges(const std::vector<store::AuditEntry>& audit) {
  std::vector<store::AuditEntry> out;
  for (const auto& entry : audit) {
    if (entry.reason == "setting changed") out.push_back(entry);
  }
  return out;
}

TEST_P(ServiceTest, SettingsStartAsTheConfigSays) {
  options_.company_name = "Contoso";
  options_.agent_tpm_unlock_window = std::chrono::hours(2);
  auto settings = settings_->Current();
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ((*settings)->drive_unlock_reasons, DefaultDriveUnlockReasons());
  EXPECT_EQ((*settings)->tpm_reasons, DefaultTpmReasons());
  EXPECT_EQ((*settings)->self_service_notice, DefaultSelfServiceNotice());
  EXPECT_EQ((*settings)->company_name, "Contoso");
  EXPECT_EQ((*settings)->helpdesk_contact, "");
  EXPECT_EQ((*settings)->report_interval, std::chrono::minutes(90));
  EXPECT_EQ((*settings)->agent_tpm_unlock_window, std::chrono::minutes(120));
}

TEST_P(ServiceTest, ChangedSettingsAreStoredAndAuditedOneEntryEach) {
  auto changed = settings_->Change(kAdmin, {.tpm_reasons = std::vector<std::string>{"Clear TPM"},
                                            .helpdesk_contact = "+1 555 0100",
                                            .report_interval = std::chrono::minutes(30)});
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(changed->tpm_reasons, (std::vector<std::string>{"Clear TPM", "Other"}));
  EXPECT_EQ(changed->helpdesk_contact, "+1 555 0100");
  EXPECT_EQ(changed->report_interval, std::chrono::minutes(30));

  // A server opening the store later sees them over its own config.
  Settings other(*store_, *audit_, options_);
  EXPECT_EQ(*other.Current().value(), *changed);

  const auto entries = SettingChanges(Audit());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].actor, "root");
  EXPECT_EQ(entries[0].result,
            "tpm_reasons: \"Turn on TPM\\nTurn off TPM\\nChange TPM password\\nClear TPM\\nReset "
            "TPM lockout\\nOther\" -> \"Clear TPM\\nOther\"");
  EXPECT_EQ(entries[1].result, "helpdesk_contact: \"\" -> \"+1 555 0100\"");
  EXPECT_EQ(entries[2].result, "report_interval_minutes: \"90\" -> \"30\"");

  // The same values again change nothing and write no entry.
  ASSERT_TRUE(settings_->Change(kAdmin, {.helpdesk_contact = "+1 555 0100"}).ok());
  EXPECT_EQ(SettingChanges(Audit()).size(), 3u);
}

TEST_P(ServiceTest, AWrongSettingChangesNothing) {
  const std::vector<std::pair<SettingsChange, std::string>> wrong = {
      {{.company_name = "Fabrikam", .report_interval = std::chrono::minutes(0)},
       "report_interval_minutes must be a whole number of minutes from 1 to 1440"},
      {{.agent_tpm_unlock_window = std::chrono::minutes(-1)}, "agent_tpm_unlock_window_minutes"},
      {{.drive_unlock_reasons = std::vector<std::string>{}}, "must list 1 to 32 reasons"},
      {{.drive_unlock_reasons = std::vector<std::string>{"A", ""}}, "holds an empty reason"},
      {{.drive_unlock_reasons = std::vector<std::string>{"A", "A"}}, "lists \"A\" twice"},
      {{.tpm_reasons = std::vector<std::string>{"two\nlines"}}, "make it one line"},
      {{.self_service_notice = ""}, "self_service_notice is empty"},
      {{.helpdesk_contact = "call\tme"}, "helpdesk_contact holds a control character"},
      {{.company_name = std::string(300, 'x')}, "company_name is longer than 256 bytes"},
  };
  for (const auto& [change, message] : wrong) {
    auto result = settings_->Change(kAdmin, change);
    ASSERT_FALSE(result.ok()) << message;
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find(message), std::string::npos)
        << result.status().message();
  }
  EXPECT_EQ(settings_->Current().value()->company_name, "");
  EXPECT_TRUE(store_->ListSettings().value().empty());
  EXPECT_TRUE(SettingChanges(Audit()).empty());
}

TEST_P(ServiceTest, OnlyAnAdminChangesSettings) {
  auto result = settings_->Change(Person("bob", Role::kAdvancedHelpdesk), {.company_name = "X"});
  EXPECT_EQ(result.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(store_->ListSettings().value().empty());
}

TEST_P(ServiceTest, AnotherServersChangeIsSeenAfterTheRefresh) {
  ASSERT_EQ(settings_->Current().value()->company_name, "");
  Settings other(*store_, *audit_, options_);
  ASSERT_TRUE(other.Change(kAdmin, {.company_name = "Contoso"}).ok());
  EXPECT_EQ(settings_->Current().value()->company_name, "");  // cached
  now_ += Settings::kRefresh;
  EXPECT_EQ(settings_->Current().value()->company_name, "Contoso");
}

TEST_P(ServiceTest, EscrowAnswersWithTheChangedReportInterval) {
  EXPECT_EQ(Escrow(MakeReport()).next_report_in, std::chrono::minutes(90));
  ASSERT_TRUE(settings_->Change(kAdmin, {.report_interval = std::chrono::minutes(20)}).ok());
  EXPECT_EQ(Escrow(MakeReport()).next_report_in, std::chrono::minutes(20));
}

TEST_P(ServiceTest, AStoredSettingThatCannotBeReadIsReported) {
  ASSERT_TRUE(store_->PutSetting({"report_interval_minutes", "soon", "root", now_}).ok());
  ASSERT_TRUE(store_->PutSetting({"from_a_newer_lockbox", "1", "root", now_}).ok());
  auto settings = settings_->Current();
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(settings.status().message().find("the stored setting report_interval_minutes"),
            std::string::npos);
}

}  // namespace
}  // namespace lockbox::service
