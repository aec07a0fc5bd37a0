#include "http/json_io.h"

#include <gtest/gtest.h>

namespace lockbox::http {
namespace {

Request JsonRequest(std::string content_type, std::string body) {
  Request request;
  request.method = Method::kPost;
  request.headers = {{"content-type", std::move(content_type)}};
  request.body = std::move(body);
  return request;
}

nlohmann::json Error(const Response& response) {
  return nlohmann::json::parse(response.body)["error"];
}

TEST(JsonIoTest, ReadsJsonWithCharsetParameter) {
  nlohmann::json body;
  const auto error =
      ReadJsonBody(JsonRequest("Application/JSON; charset=utf-8", R"({"a":[1,2]})"), &body);
  EXPECT_FALSE(error.has_value());
  EXPECT_EQ(body, (nlohmann::json{{"a", {1, 2}}}));
}

TEST(JsonIoTest, WrongOrMissingContentTypeIs415) {
  nlohmann::json body;
  auto error = ReadJsonBody(JsonRequest("text/plain", "{}"), &body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 415);
  EXPECT_EQ(Error(*error)["message"], "Content-Type must be application/json (got \"text/plain\")");
  Request no_type;
  no_type.body = "{}";
  error = ReadJsonBody(no_type, &body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 415);
}

TEST(JsonIoTest, MalformedJsonIs400NamingTheBytePositionNotTheContent) {
  nlohmann::json body;
  const auto error = ReadJsonBody(JsonRequest("application/json", R"({"pw": "SECRET)"), &body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(Error(*error)["code"], "malformed_json");
  EXPECT_EQ(error->body.find("SECRET"), std::string::npos) << error->body;
  EXPECT_NE(error->body.find("error at byte"), std::string::npos) << error->body;
}

TEST(JsonIoTest, NumberOutOfRangeIs400) {
  nlohmann::json body;
  const auto error = ReadJsonBody(JsonRequest("application/json", "[4E380]"), &body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(Error(*error)["code"], "malformed_json");
}

TEST(JsonIoTest, EmptyBodyIs400) {
  nlohmann::json body;
  const auto error = ReadJsonBody(JsonRequest("application/json", ""), &body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
}

TEST(JsonIoTest, StatusMapsToHttpStatusAndHidesInternalDetails) {
  EXPECT_EQ(ErrorResponse(Status::InvalidArgument("bad")).status, 400);
  EXPECT_EQ(ErrorResponse(Status::NotFound("none")).status, 404);
  EXPECT_EQ(ErrorResponse(Status::Unauthenticated("who are you")).status, 401);
  EXPECT_EQ(ErrorResponse(Status::AlreadyExists("dup")).status, 409);
  const Response internal = ErrorResponse(Status::Internal("sqlite said /var/lib/x is locked"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
}

TEST(JsonIoTest, InvalidUtf8IsReplacedNotThrown) {
  const Response response = ErrorResponse(400, "bad", std::string("caf\xC3", 4));
  EXPECT_TRUE(nlohmann::json::accept(response.body));
}

}  // namespace
}  // namespace lockbox::http
