#include "web/routes.h"

#include "http/json_io.h"
#include "web/assets.h"

namespace lockbox::web {
namespace {

const Asset* Find(std::string_view name) {
  for (const Asset& asset : EmbeddedAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

// Like the API's errors, it does not quote what was sent.
http::Response NotFound() {
  return http::ErrorResponse(404, "not_found", "there is no such page: the portals start at /");
}

http::Response Serve(const http::Request& request, std::string_view name) {
  const Asset* asset = Find(name);
  if (asset == nullptr) return NotFound();
  http::Response response{.status = 200, .content_type = std::string(asset->content_type)};
  response.headers = {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                      {"Referrer-Policy", "no-referrer"},
                      {"Cache-Control", "no-cache"},
                      {"ETag", std::string(asset->etag)}};
  if (request.Header("if-none-match") == asset->etag) {
    response.status = 304;
  } else {
    response.body = std::string(asset->bytes);
  }
  return response;
}

}  // namespace

Status AddRoutes(http::Router& router) {
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = http::Method::kGet,
      .pattern = "/",
      .summary = "The portals' sign-in page",
      .description = "Signs a person in (POST /api/v1/session, changing a first password) and "
                     "opens the page of their role. docs/portals.md describes the pages.",
      .response_content_type = "text/html",
      .handler = [](http::Request& request) { return Serve(request, "index.html"); },
  }));
  LOCKBOX_RETURN_IF_ERROR(router.Add({
      .method = http::Method::kGet,
      .pattern = "/{page}",
      .summary = "A portal page: /helpdesk (drive recovery), /self-service",
      .response_content_type = "text/html",
      .handler =
          [](http::Request& request) {
            const std::string_view page = request.Param("page");
            // The sign-in page has one address, /.
            if (page == "index" || page.find('.') != std::string_view::npos) {
              return NotFound();
            }
            return Serve(request, std::string(page) + ".html");
          },
  }));
  return router.Add({
      .method = http::Method::kGet,
      .pattern = "/static/{file}",
      .summary = "A style sheet, script module or image of the portal pages",
      .response_content_type = "text/javascript",
      .handler =
          [](http::Request& request) {
            return Serve(request, "static/" + std::string(request.Param("file")));
          },
  });
}

}  // namespace lockbox::web
