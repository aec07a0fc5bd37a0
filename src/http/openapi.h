// The OpenAPI 3.0 document of the API, built from the router's table, so the published
// description cannot drift from what the server answers. Served at /api/v1/openapi.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/router.h"

namespace lockbox::http {

nlohmann::json BuildOpenApiDocument(const Router& router, const std::string& version);

}  // namespace lockbox::http
