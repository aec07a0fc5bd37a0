#include "api/csv.h"

namespace lockbox::api::internal {

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string& cell = cells[i];
    if (i > 0) line += ',';
    line += '"';
    if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string::npos) {
      line += '\'';
    }
    for (char c : cell) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line + "\r\n";
}

Result<bool> WantsCsv(const http::Request& request) {
  LOCKBOX_ASSIGN_OR_RETURN(const auto format, http::QueryParam(request, "format"));
  if (!format || *format == "json") return false;
  if (*format == "csv") return true;
  return Status::InvalidArgument("the query parameter format must be json or csv");
}

http::Response CsvResponse(const std::string& file_name, const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows) {
  http::Response response{.status = 200, .content_type = "text/csv; charset=utf-8"};
  response.headers.push_back({"Content-Disposition", "attachment; filename=\"" + file_name + "\""});
  response.body = CsvLine(header);
  for (const auto& row : rows) response.body += CsvLine(row);
  return response;
}

}  // namespace lockbox::api::internal
