// The JSON API of the escrow server, version 1: every route under /api/v1 that agents,
// helpdesk staff, users, administrators, auditors and migration scripts call. docs/api.md
// describes each with examples; the server serves the OpenAPI document built from the same
// table at /api/v1/openapi.json.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto services, api::Services::Create(*store, options));
//   LOCKBOX_RETURN_IF_ERROR(http::AddBuiltinRoutes(router, metrics, health));
//   LOCKBOX_RETURN_IF_ERROR(api::AddRoutes(router, *services));
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace lockbox::api {

// Adds every API route to `router`. `services` must outlive the router's use.
Status AddRoutes(http::Router& router, Services& services);

}  // namespace lockbox::api
