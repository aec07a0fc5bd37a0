// What `lockbox bde info` reports about an opened volume (docs/bde-info.md), as JSON and as
// text. Separate from the command so tests can check the report of a real volume.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bde/volume.h"

namespace lockbox::cli {

// The report; field names are stable and documented in docs/bde-info.md.
nlohmann::json VolumeInfoJson(const bde::Volume& volume);

// The same facts for a person, in the style of `cryptsetup bitlkDump`.
std::string VolumeInfoText(const bde::Volume& volume, const std::string& image);

}  // namespace lockbox::cli
