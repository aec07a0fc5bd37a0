#include "api/json_fields.h"

#include <gtest/gtest.h>

namespace lockbox::api {
namespace {

TEST(JsonFieldsTest, ReadsTypedFieldsAndNamesTheFirstProblem) {
  const nlohmann::json body = {{"name", "PC-07"},
                               {"count", 3},
                               {"ok", true},
                               {"id", "8F595209-F5B9-49A0-85D4-CB8F80258C27"},
                               {"when", "2024-01-15T08:00:00Z"},
                               {"bad", 7}};
  JsonFields f(body, "computer");
  EXPECT_EQ(f.Text("name"), "PC-07");
  EXPECT_EQ(f.Integer("count", 1, 5), 3);
  EXPECT_TRUE(f.Flag("ok"));
  EXPECT_EQ(f.Id("id").ToString(), "8f595209-f5b9-49a0-85d4-cb8f80258c27");
  EXPECT_TRUE(f.Time("when").has_value());
  EXPECT_TRUE(f.ok());
  EXPECT_EQ(f.Text("bad"), "");
  EXPECT_EQ(f.status().message(), "computer.bad: expected a string");
  // Later problems do not replace the first.
  f.Text("missing");
  EXPECT_EQ(f.Finish().message(), "computer.bad: expected a string");
}

TEST(JsonFieldsTest, UnknownAndMissingFieldsAreErrors) {
  const nlohmann::json body = {{"key_id", "4381F759"}, {"reasn", "typo"}};
  JsonFields typo(body, "");
  typo.Text("key_id");
  typo.Text("reason", {.required = false});
  EXPECT_EQ(typo.Finish().message().rfind("reasn: unknown field", 0), 0u);
  JsonFields missing(body, "");
  missing.Text("reason");
  EXPECT_EQ(missing.status().message(), "reason: is required (a string)");
}

TEST(JsonFieldsTest, LimitsAreEnforced) {
  const nlohmann::json body = {
      {"n", 11}, {"list", {1, 2, 3}}, {"text", "a\tb"}, {"blob", "Zm9vYmFy"}, {"kind", "floppy"}};
  JsonFields f(body, "");
  EXPECT_EQ(f.Integer("n", 1, 10), 1);
  EXPECT_EQ(f.status().message(), "n: expected an integer from 1 to 10");
  JsonFields g(body, "");
  g.Array("list", 2);
  EXPECT_EQ(g.status().message(), "list: has more than 2 elements");
  JsonFields h(body, "");
  h.Text("text");
  EXPECT_NE(h.status().message().find("control characters"), std::string::npos);
  JsonFields i(body, "");
  EXPECT_EQ(i.Base64Bytes("blob", 6).size(), 6u);
  i.Base64Bytes("blob", 5);
  EXPECT_NE(i.status().message().find("longer than 5 bytes"), std::string::npos);
  JsonFields j(body, "");
  j.OneOf("kind", {"os", "fixed"});
  EXPECT_EQ(j.status().message(), "kind: expected one of os, fixed");
}

}  // namespace
}  // namespace lockbox::api
