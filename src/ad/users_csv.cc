#include "ad/users_csv.h"

#include "util/ascii.h"

namespace lockbox::ad {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::vector<ComputerUsersLine> ParseComputerUsersCsv(std::string_view text) {
  std::vector<ComputerUsersLine> lines;
  size_t number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    ComputerUsersLine parsed;
    parsed.line = number;
    std::string_view rest = line;
    std::vector<std::string_view> fields;
    for (;;) {
      const size_t comma = rest.find(',');
      fields.push_back(Trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (number == 1 && LowerAscii(fields[0]) == "computer") continue;  // a header
    if (fields[0].empty()) {
      parsed.problem = "the computer name is empty";
    } else if (fields.size() < 2) {
      parsed.problem = "no user follows the computer name " + std::string(fields[0]);
    }
    if (parsed.problem.empty()) {
      parsed.computer = std::string(fields[0]);
      for (size_t i = 1; i < fields.size(); ++i) {
        if (!fields[i].empty()) parsed.users.emplace_back(fields[i]);
      }
      if (parsed.users.empty()) parsed.problem = "no user follows the computer name";
    }
    lines.push_back(std::move(parsed));
  }
  return lines;
}

}  // namespace lockbox::ad
