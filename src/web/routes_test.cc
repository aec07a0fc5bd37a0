#include "web/routes.h"

#include <gtest/gtest.h>

#include <regex>

#include "web/assets.h"

namespace lockbox::web {
namespace {

class WebRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(AddRoutes(router_).ok()); }

  http::Response Get(const std::string& path, http::Fields headers = {}) {
    http::Request request;
    request.path = path;
    request.headers = std::move(headers);
    return router_.Dispatch(request);
  }

  static std::string HeaderOf(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  // Where the server puts `asset`.
  static std::string PathOf(const Asset& asset) {
    if (asset.name == "index.html") return "/";
    if (asset.name.ends_with(".html")) {
      return "/" + std::string(asset.name.substr(0, asset.name.size() - 5));
    }
    return "/" + std::string(asset.name);
  }

  http::Router router_;
};

TEST_F(WebRoutesTest, TheSignInPageAndBothPortalsAreEmbedded) {
  std::vector<std::string> names;
  for (const Asset& asset : EmbeddedAssets()) names.emplace_back(asset.name);
  for (const char* expected :
       {"index.html", "helpdesk.html", "self-service.html", "reports.html", "computers.html",
        "static/portal.css", "static/api.js", "static/recovery.js"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST_F(WebRoutesTest, EveryFileIsServedWithItsTypeAndTheSecurityHeaders) {
  for (const Asset& asset : EmbeddedAssets()) {
    const http::Response response = Get(PathOf(asset));
    ASSERT_EQ(response.status, 200) << asset.name;
    EXPECT_EQ(response.body, asset.bytes) << asset.name;
    EXPECT_EQ(response.content_type, asset.content_type) << asset.name;
    EXPECT_EQ(HeaderOf(response, "Content-Security-Policy"),
              "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
              "object-src 'none'")
        << asset.name;
    EXPECT_EQ(HeaderOf(response, "Referrer-Policy"), "no-referrer") << asset.name;
    EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-cache") << asset.name;
    EXPECT_EQ(HeaderOf(response, "ETag"), asset.etag) << asset.name;
  }
  EXPECT_EQ(Get("/").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Get("/static/portal.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/static/api.js").content_type, "text/javascript; charset=utf-8");
}

TEST_F(WebRoutesTest, AnUnchangedFileIsRevalidatedWithoutItsBody) {
  const http::Response first = Get("/static/portal.css");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  const http::Response again = Get("/static/portal.css", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(Get("/static/portal.css", {{"if-none-match", "\"stale\""}}).status, 200);
}

TEST_F(WebRoutesTest, OnlyEmbeddedFilesAtTheirOwnAddressesAreServed) {
  for (const char* path :
       {"/nothing", "/index", "/helpdesk.html", "/static/none.js", "/static/..%2Findex.html",
        "/static/%2e%2e%2fhelpdesk.html", "/static/index.html"}) {
    const http::Response response = Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_NE(response.body.find("the portals start at /"), std::string::npos) << path;
  }
}

// The Content-Security-Policy forbids inline script and style: a page that used them would
// break in the browser, so this catches it at build time. Nothing may come from elsewhere.
TEST_F(WebRoutesTest, PagesHoldNoInlineScriptOrStyleAndLoadOnlyFromThisServer) {
  const std::regex inline_script(R"re(<script(?![^>]*\bsrc=)[^>]*>)re", std::regex::icase);
  const std::regex inline_style(R"re(<style\b|\sstyle=|\son[a-z]+=)re", std::regex::icase);
  const std::regex link(R"re((?:src|href)="([^"]*)")re", std::regex::icase);
  int pages = 0;
  for (const Asset& asset : EmbeddedAssets()) {
    const std::string text(asset.bytes);
    if (!asset.name.ends_with(".svg")) {
      EXPECT_EQ(text.find("http://"), std::string::npos) << asset.name;
      EXPECT_EQ(text.find("https://"), std::string::npos) << asset.name;
    }
    if (!asset.name.ends_with(".html")) continue;
    ++pages;
    EXPECT_FALSE(std::regex_search(text, inline_script)) << asset.name;
    EXPECT_FALSE(std::regex_search(text, inline_style)) << asset.name;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      const std::string target = (*it)[1];
      EXPECT_TRUE(target.starts_with("/") && !target.starts_with("//"))
          << asset.name << " links to " << target;
      if (target.starts_with("/static/")) {
        EXPECT_EQ(Get(target).status, 200) << asset.name << " loads " << target;
      }
    }
  }
  EXPECT_GE(pages, 3);
}

}  // namespace
}  // namespace lockbox::web
