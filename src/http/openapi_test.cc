#include "http/openapi.h"

#include <gtest/gtest.h>

#include <set>

#include "http/builtin_routes.h"
#include "http/json_io.h"

namespace lockbox::http {
namespace {

TEST(OpenApiTest, DocumentHasExactlyTheRoutedPathsAndMethods) {
  Metrics metrics;
  Router router;
  ASSERT_TRUE(AddBuiltinRoutes(router, metrics, [] { return Status::Ok(); }).ok());
  ASSERT_TRUE(router
                  .Add({.method = Method::kPost,
                        .pattern = "/api/v1/computers/{computer_id}/keys",
                        .summary = "Escrow",
                        .request_schema = {{"type", "object"}},
                        .handler = [](Request&) { return JsonResponse(200, {}); }})
                  .ok());
  const nlohmann::json doc = BuildOpenApiDocument(router, "1");
  EXPECT_EQ(doc["openapi"], "3.0.3");

  std::set<std::pair<std::string, std::string>> routed;
  for (const Route& route : router.routes()) {
    std::string method = MethodName(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    routed.emplace(route.pattern, method);
  }
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) documented.emplace(path, method);
  }
  EXPECT_EQ(routed, documented);

  const nlohmann::json& escrow = doc["paths"]["/api/v1/computers/{computer_id}/keys"]["post"];
  EXPECT_EQ(escrow["parameters"][0]["name"], "computer_id");
  EXPECT_EQ(escrow["parameters"][0]["in"], "path");
  EXPECT_TRUE(escrow.contains("requestBody"));
  EXPECT_EQ(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"].begin().key(),
            "text/plain; version=0.0.4");
}

}  // namespace
}  // namespace lockbox::http
