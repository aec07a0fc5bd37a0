// Internal to api: reports as CSV (RFC 4180) for spreadsheets, asked for with ?format=csv.
// Every cell is quoted; a cell that a spreadsheet would run as a formula (starting with
// = + - @, a tab or a carriage return) gets a ' in front, so an audit field someone typed
// cannot become a formula on the auditor's machine.
#pragma once

#include <string>
#include <vector>

#include "http/request.h"
#include "util/status.h"

namespace lockbox::api::internal {

// One line, ending in CRLF.
std::string CsvLine(const std::vector<std::string>& cells);

// Whether the request asks for CSV: ?format=csv (true), absent or json (false), anything else
// kInvalidArgument.
Result<bool> WantsCsv(const http::Request& request);

// 200 text/csv, downloaded as `file_name`: the header line, then the rows.
http::Response CsvResponse(const std::string& file_name, const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows);

}  // namespace lockbox::api::internal
