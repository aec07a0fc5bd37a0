#include "web/routes.h"

#include <gtest/gtest.h>

#include <cctype>
#include <vector>

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
  for (const char* expected : {"index.html", "helpdesk.html", "self-service.html", "reports.html",
                               "computers.html", "admin.html", "static/admin.js",
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

// The page in lower case, so that tags and attributes are found whatever their case. (Not
// std::regex: GCC 12 warns inside it under the sanitizers.)
std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Whether `page` has a <script> tag without a src attribute.
bool HasInlineScript(const std::string& page) {
  for (size_t at = page.find("<script"); at != std::string::npos;
       at = page.find("<script", at + 1)) {
    const std::string tag = page.substr(at, page.find('>', at) - at);
    if (tag.find(" src=") == std::string::npos) return true;
  }
  return false;
}

// Whether `page` has a <style> element, a style attribute or an event handler attribute
// (onclick=, onload=, ...).
bool HasInlineStyleOrHandler(const std::string& page) {
  if (page.find("<style") != std::string::npos) return true;
  for (size_t i = 1; i + 2 < page.size(); ++i) {
    if (!std::isspace(static_cast<unsigned char>(page[i - 1]))) continue;
    if (page.compare(i, 6, "style=") == 0) return true;
    if (page.compare(i, 2, "on") != 0) continue;
    size_t j = i + 2;
    while (j < page.size() && page[j] >= 'a' && page[j] <= 'z') ++j;
    if (j > i + 2 && j < page.size() && page[j] == '=') return true;
  }
  return false;
}

// The values of every src="..." and href="..." attribute of `page`.
std::vector<std::string> LinkTargets(const std::string& page) {
  std::vector<std::string> targets;
  for (const std::string attribute : {" src=\"", " href=\""}) {
    for (size_t at = page.find(attribute); at != std::string::npos;
         at = page.find(attribute, at + 1)) {
      const size_t start = at + attribute.size();
      targets.push_back(page.substr(start, page.find('"', start) - start));
    }
  }
  return targets;
}

// The Content-Security-Policy forbids inline script and style: a page that used them would
// break in the browser, so this catches it at build time. Nothing may come from elsewhere.
TEST_F(WebRoutesTest, PagesHoldNoInlineScriptOrStyleAndLoadOnlyFromThisServer) {
  EXPECT_TRUE(HasInlineScript("<script>alert(1)</script>"));
  EXPECT_FALSE(HasInlineScript("<script type=\"module\" src=\"/static/a.js\"></script>"));
  EXPECT_TRUE(HasInlineStyleOrHandler("<p style=\"color: red\">"));
  EXPECT_TRUE(HasInlineStyleOrHandler("<button onclick=\"go()\">"));
  EXPECT_FALSE(HasInlineStyleOrHandler("<p>click on the button</p>"));
  int pages = 0;
  for (const Asset& asset : EmbeddedAssets()) {
    const std::string text(asset.bytes);
    if (!asset.name.ends_with(".svg")) {
      EXPECT_EQ(text.find("http://"), std::string::npos) << asset.name;
      EXPECT_EQ(text.find("https://"), std::string::npos) << asset.name;
    }
    if (!asset.name.ends_with(".html")) continue;
    ++pages;
    const std::string page = Lower(text);
    EXPECT_FALSE(HasInlineScript(page)) << asset.name;
    EXPECT_FALSE(HasInlineStyleOrHandler(page)) << asset.name;
    for (const std::string& target : LinkTargets(page)) {
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
