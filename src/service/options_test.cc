#include "service/options.h"

#include <gtest/gtest.h>

namespace lockbox::service {
namespace {

// The config's defaults (config.h) are the service's: a config file that sets nothing
// changes nothing.
TEST(OptionsFromConfigTest, AnEmptyConfigGivesTheDefaults) {
  const ServiceOptions defaults;
  const ServiceOptions options = OptionsFromConfig(config::ServerConfig{}).value();
  EXPECT_EQ(options.report_interval, defaults.report_interval);
  EXPECT_EQ(options.drive_unlock_reasons, DefaultDriveUnlockReasons());
  EXPECT_EQ(options.tpm_reasons, DefaultTpmReasons());
  EXPECT_EQ(options.self_service_attempts, defaults.self_service_attempts);
  EXPECT_EQ(options.self_service_window, defaults.self_service_window);
  EXPECT_EQ(options.self_service_notice, DefaultSelfServiceNotice());
  EXPECT_EQ(options.agent_tpm_unlock_window, defaults.agent_tpm_unlock_window);
  EXPECT_EQ(options.company_name, "");
  EXPECT_EQ(options.helpdesk_contact, "");
  EXPECT_EQ(options.self_service_idle_timeout, defaults.self_service_idle_timeout);
  EXPECT_TRUE(options.compliance.encryption_methods.empty());
  EXPECT_EQ(options.compliance.os_protectors, defaults.compliance.os_protectors);
  EXPECT_EQ(options.repeated_recovery_count, 2);
  EXPECT_EQ(options.repeated_recovery_window, std::chrono::days(30));
}

TEST(OptionsFromConfigTest, ConfiguredValuesAreTakenAndOtherIsAlwaysOffered) {
  config::ServerConfig config;
  config.recovery.drive_unlock_reasons = {"Lost PIN", "BIOS changed"};
  config.recovery.tpm_reasons = {"Other", "Clear TPM"};
  config.recovery.report_interval_minutes = 15;
  config.recovery.agent_tpm_unlock_window_minutes = 120;
  config.self_service.notice = "Recorded.";
  config.self_service.attempts = 3;
  config.self_service.window_minutes = 30;
  config.self_service.company_name = "Contoso";
  config.self_service.helpdesk_contact = "+1 555 0100";
  config.self_service.idle_timeout_seconds = 45;
  config.compliance.encryption_methods = {"XTS-AES 256"};
  config.compliance.os_protectors = {"tpm_pin|tpm_pin_startup_key", "recovery_password"};
  config.compliance.removable_protectors = {"password"};
  config.reports.repeated_recovery_count = 3;
  config.reports.repeated_recovery_days = 7;
  const ServiceOptions options = OptionsFromConfig(config).value();
  EXPECT_EQ(options.drive_unlock_reasons,
            (std::vector<std::string>{"Lost PIN", "BIOS changed", "Other"}));
  EXPECT_EQ(options.tpm_reasons, (std::vector<std::string>{"Other", "Clear TPM"}));
  EXPECT_EQ(options.report_interval, std::chrono::minutes(15));
  EXPECT_EQ(options.agent_tpm_unlock_window, std::chrono::hours(2));
  EXPECT_EQ(options.self_service_notice, "Recorded.");
  EXPECT_EQ(options.self_service_attempts, 3);
  EXPECT_EQ(options.self_service_window, std::chrono::minutes(30));
  EXPECT_EQ(options.company_name, "Contoso");
  EXPECT_EQ(options.helpdesk_contact, "+1 555 0100");
  EXPECT_EQ(options.self_service_idle_timeout, std::chrono::seconds(45));
  using store::ProtectorType;
  EXPECT_EQ(options.compliance.encryption_methods, std::vector<std::string>{"XTS-AES 256"});
  EXPECT_EQ(
      options.compliance.os_protectors,
      (std::vector<ProtectorRequirement>{{ProtectorType::kTpmPin, ProtectorType::kTpmPinStartupKey},
                                         {ProtectorType::kRecoveryPassword}}));
  EXPECT_EQ(options.compliance.fixed_protectors, ServiceOptions().compliance.fixed_protectors);
  EXPECT_EQ(options.compliance.removable_protectors,
            std::vector<ProtectorRequirement>{{ProtectorType::kPassword}});
  EXPECT_EQ(options.repeated_recovery_count, 3);
  EXPECT_EQ(options.repeated_recovery_window, std::chrono::days(7));
}

TEST(OptionsFromConfigTest, AnUnknownProtectorTypeNamesTheKey) {
  config::ServerConfig config;
  config.compliance.fixed_protectors = {"recovery_password|tmp"};
  const auto options = OptionsFromConfig(config);
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("[compliance] fixed_protectors"), std::string::npos)
      << options.status().message();
  EXPECT_NE(options.status().message().find("\"tmp\" is not a protector type"), std::string::npos);
}

}  // namespace
}  // namespace lockbox::service
