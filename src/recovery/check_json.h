// The JSON form of a CheckReport, shared by `lockbox recovery-password check --json` and the
// server, so both speak the same shape:
//
//   {"valid": false,
//    "syntax_error": null,                      // or the message, with "blocks": []
//    "wrong_blocks": 1,
//    "blocks": [{"block": 1, "ok": true}, ...,
//               {"block": 3, "ok": false, "problem": "not_divisible_by_11",
//                "digits": "123457", "message": "block 3 (123457) is not divisible by 11: ...",
//                "candidates": [{"digits": "123453", "mistake": "wrong_digit", "position": 6},
//                               {"digits": "124357", "mistake": "swapped_digits",
//                                "position": 3}]}]}
#pragma once

#include <nlohmann/json.hpp>

#include "recovery/check.h"

namespace lockbox::recovery {

nlohmann::json CheckReportToJson(const CheckReport& report);

}  // namespace lockbox::recovery
