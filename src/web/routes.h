// The portals' pages, served by `lockbox serve` beside the JSON API they call:
//
//   GET /                 the sign-in page (web/index.html)
//   GET /{page}           web/{page}.html: /helpdesk, /self-service
//   GET /static/{file}    what the pages load: web/static/portal.css, web/static/api.js, ...
//
// The pages are API clients: they hold no data and reach none but through /api/v1. Every
// answer carries a strict Content-Security-Policy (scripts, styles and everything else only
// from this server, no inline script or style, no framing, no plugins, forms only to here),
// Referrer-Policy: no-referrer and X-Content-Type-Options: nosniff; the files are revalidated
// by ETag on each use (Cache-Control: no-cache), so a new server version takes effect at once.
//
//   LOCKBOX_RETURN_IF_ERROR(web::AddRoutes(router));
#pragma once

#include <string_view>

#include "http/router.h"
#include "util/status.h"

namespace lockbox::web {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'";

Status AddRoutes(http::Router& router);

}  // namespace lockbox::web
