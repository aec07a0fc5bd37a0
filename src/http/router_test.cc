#include "http/router.h"

#include <gtest/gtest.h>

#include "http/json_io.h"

namespace lockbox::http {
namespace {

Handler Echo(std::string name) {
  return [name](Request& request) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [key, value] : request.params) params[key] = value;
    return JsonResponse(200, {{"handler", name}, {"route", request.route}, {"params", params}});
  };
}

Request RequestFor(Method method, std::string path) {
  Request request;
  request.method = method;
  request.path = std::move(path);
  return request;
}

Response Call(const Router& router, Method method, std::string path) {
  Request request = RequestFor(method, std::move(path));
  return router.Dispatch(request);
}

nlohmann::json Body(const Response& response) { return nlohmann::json::parse(response.body); }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add({.pattern = "/api/v1/keys/{key_id}", .handler = Echo("get")}).ok());
    ASSERT_TRUE(router_
                    .Add({.method = Method::kDelete,
                          .pattern = "/api/v1/keys/{key_id}",
                          .handler = Echo("delete")})
                    .ok());
    ASSERT_TRUE(router_.Add({.pattern = "/api/v1/keys/search", .handler = Echo("search")}).ok());
    ASSERT_TRUE(router_
                    .Add({.pattern = "/api/v1/computers/{id}/volumes/{volume_id}",
                          .handler = Echo("volume")})
                    .ok());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesParametersAndDecodesThem) {
  const Response response = Call(router_, Method::kGet, "/api/v1/computers/pc%2042/volumes/v1");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(Body(response)["params"], (nlohmann::json{{"id", "pc 42"}, {"volume_id", "v1"}}));
  EXPECT_EQ(Body(response)["route"], "/api/v1/computers/{id}/volumes/{volume_id}");
}

TEST_F(RouterTest, LiteralSegmentBeatsParameter) {
  EXPECT_EQ(Body(Call(router_, Method::kGet, "/api/v1/keys/search"))["handler"], "search");
  EXPECT_EQ(Body(Call(router_, Method::kGet, "/api/v1/keys/4381F759"))["handler"], "get");
  EXPECT_EQ(Body(Call(router_, Method::kDelete, "/api/v1/keys/4381F759"))["handler"], "delete");
}

TEST_F(RouterTest, UnknownPathIs404WithJsonError) {
  for (const char* path : {"/", "/api/v1/keys", "/api/v1/keys/", "/api/v1/keys/a/b", "/x"}) {
    const Response response = Call(router_, Method::kGet, path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(Body(response)["error"]["code"], "not_found") << path;
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllowHeader) {
  const Response response = Call(router_, Method::kPost, "/api/v1/keys/4381F759");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(Body(response)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, DELETE"}));
}

TEST_F(RouterTest, MalformedPercentEscapeIs400) {
  EXPECT_EQ(Call(router_, Method::kGet, "/api/v1/keys/%4").status, 400);
  EXPECT_EQ(Call(router_, Method::kGet, "/api/v1/keys/%zz").status, 400);
  EXPECT_EQ(Call(router_, Method::kGet, "*").status, 400);
}

TEST_F(RouterTest, RejectsMalformedAndDuplicatePatterns) {
  EXPECT_FALSE(router_.Add({.pattern = "api", .handler = Echo("x")}).ok());
  EXPECT_FALSE(router_.Add({.pattern = "/a/{}", .handler = Echo("x")}).ok());
  EXPECT_FALSE(router_.Add({.pattern = "/a/{b", .handler = Echo("x")}).ok());
  EXPECT_FALSE(router_.Add({.pattern = "/a/x{b}", .handler = Echo("x")}).ok());
  EXPECT_FALSE(router_.Add({.pattern = "/a/{b}/{b}", .handler = Echo("x")}).ok());
  EXPECT_FALSE(router_.Add({.pattern = "/a"}).ok());
  const Status duplicate = router_.Add({.pattern = "/api/v1/keys/{other}", .handler = Echo("x")});
  EXPECT_EQ(duplicate.message(),
            "route pattern \"/api/v1/keys/{other}\" duplicates GET /api/v1/keys/{key_id}");
}

TEST(RouterQuickTest, QuickHandlerAnswersOrPassesToTheHandler) {
  Router router;
  ASSERT_TRUE(router
                  .Add({.method = Method::kPost,
                        .pattern = "/api/v1/report/{id}",
                        .handler = Echo("full"),
                        .quick = [](Request& request) -> std::optional<Response> {
                          if (request.Param("id") != "known") return std::nullopt;
                          return JsonResponse(200, {{"handler", "quick"}});
                        }})
                  .ok());
  ASSERT_TRUE(router.Add({.pattern = "/api/v1/slow", .handler = Echo("slow")}).ok());

  Request known = RequestFor(Method::kPost, "/api/v1/report/known");
  const std::optional<Response> quick = router.DispatchQuick(known);
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(Body(*quick)["handler"], "quick");
  EXPECT_EQ(known.route, "/api/v1/report/{id}");

  Request other = RequestFor(Method::kPost, "/api/v1/report/other");
  EXPECT_FALSE(router.DispatchQuick(other).has_value());
  EXPECT_EQ(Body(router.Dispatch(other))["handler"], "full");

  Request slow = RequestFor(Method::kGet, "/api/v1/slow");
  EXPECT_FALSE(router.DispatchQuick(slow).has_value());  // no quick handler
  // The router's own answers need no handler at all.
  Request missing = RequestFor(Method::kGet, "/api/v1/nothing");
  const std::optional<Response> not_found = router.DispatchQuick(missing);
  ASSERT_TRUE(not_found.has_value());
  EXPECT_EQ(not_found->status, 404);
  Request wrong_method = RequestFor(Method::kGet, "/api/v1/report/known");
  const std::optional<Response> not_allowed = router.DispatchQuick(wrong_method);
  ASSERT_TRUE(not_allowed.has_value());
  EXPECT_EQ(not_allowed->status, 405);
}

}  // namespace
}  // namespace lockbox::http
