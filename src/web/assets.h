// The portals' files (web/ in the source tree), embedded into the binary at build time by
// embed_assets.cmake, so `lockbox serve` needs no files beside it and serves exactly what
// was built and tested.
#pragma once

#include <span>
#include <string_view>

namespace lockbox::web {

struct Asset {
  std::string_view name;          // its path under web/: "index.html", "static/portal.css"
  std::string_view content_type;  // "text/css; charset=utf-8"
  std::string_view bytes;
  std::string_view etag;  // quoted, from the SHA-256 of the bytes: "\"3f2a...\""
};

// Every file, sorted by name.
std::span<const Asset> EmbeddedAssets();

}  // namespace lockbox::web
