// Internal to api: the route groups AddRoutes() puts together, one file each.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace lockbox::api::internal {

Status AddSessionRoutes(http::Router& router, Services& services);    // sign-in, password
Status AddAgentRoutes(http::Router& router, Services& services);      // enroll, report, TPM
Status AddRecoveryRoutes(http::Router& router, Services& services);   // disclosure, keys
Status AddAdminRoutes(http::Router& router, Services& services);      // users, tokens, settings
Status AddAuditRoutes(http::Router& router, Services& services);      // the audit log
Status AddDirectoryRoutes(http::Router& router, Services& services);  // computers, own ones
Status AddMigrationRoutes(http::Router& router, Services& services);  // MBAM / AD imports
Status AddReportRoutes(http::Router& router, Services& services);     // compliance, rotation

}  // namespace lockbox::api::internal
