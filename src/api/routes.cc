#include "api/routes.h"

#include "api/route_groups.h"

namespace lockbox::api {

Status AddRoutes(http::Router& router, Services& services) {
  LOCKBOX_RETURN_IF_ERROR(internal::AddSessionRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddAgentRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddRecoveryRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddAdminRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddDirectoryRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddMigrationRoutes(router, services));
  LOCKBOX_RETURN_IF_ERROR(internal::AddReportRoutes(router, services));
  return internal::AddAuditRoutes(router, services);
}

}  // namespace lockbox::api
