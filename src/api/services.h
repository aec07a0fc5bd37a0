// Services: everything the API's routes act on, built once per server process from an open
// store: the audit log, the runtime settings, the background key verifier, the escrow and recovery
// rules, the computer directory, compliance and reports, the authenticator, and the memo of
// agents' report bodies.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto services, api::Services::Create(*store, api::ApiOptions{}));
//   http::Router router;
//   LOCKBOX_RETURN_IF_ERROR(api::AddRoutes(router, *services));  // routes.h
#pragma once

#include <memory>

#include "api/report_memo.h"
#include "audit/audit_log.h"
#include "auth/authenticator.h"
#include "auth/options.h"
#include "service/compliance.h"
#include "service/directory.h"
#include "service/escrow.h"
#include "service/migration.h"
#include "service/options.h"
#include "service/recovery.h"
#include "service/reports.h"
#include "service/settings.h"
#include "service/verifier.h"
#include "store/store.h"

namespace lockbox::api {

struct ApiOptions {
  service::ServiceOptions service;
  auth::AuthOptions auth;
};

class Services {
 public:
  // `store` must outlive the Services. Fails when the auth settings are unusable.
  static Result<std::unique_ptr<Services>> Create(store::Store& store, ApiOptions options);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  store::Store& store() { return store_; }
  audit::AuditLog& audit() { return audit_; }
  service::Settings& settings() { return settings_; }
  service::KeyVerifier& verifier() { return verifier_; }
  service::EscrowService& escrow() { return escrow_; }
  service::RecoveryService& recovery() { return recovery_; }
  service::MigrationService& migration() { return migration_; }
  service::DirectoryService& directory() { return directory_; }
  service::ComplianceService& compliance() { return compliance_; }
  service::ReportService& reports() { return reports_; }
  auth::Authenticator& auth() { return *auth_; }
  ReportMemo& report_memo() { return report_memo_; }
  const ApiOptions& options() const { return options_; }

 private:
  Services(store::Store& store, ApiOptions options);

  store::Store& store_;
  const ApiOptions options_;
  audit::AuditLog audit_;
  service::Settings settings_;
  service::KeyVerifier verifier_;
  service::EscrowService escrow_;
  service::RecoveryService recovery_;
  service::MigrationService migration_;
  service::DirectoryService directory_;
  service::ComplianceService compliance_;
  service::ReportService reports_;
  std::unique_ptr<auth::Authenticator> auth_;
  ReportMemo report_memo_;
};

}  // namespace lockbox::api
