// The users of computers from a CSV file, as MBAM's Write-MbamComputerUser took them: one
// computer a line, its name first, then its users ("PC-07,CORP\alice,CORP\bob"). Blank lines,
// lines starting with "#" and a header line starting with "computer" are skipped; fields are
// trimmed of spaces; there is no quoting (names hold no commas).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lockbox::ad {

struct ComputerUsersLine {
  size_t line = 0;       // 1-based, for messages
  std::string computer;  // as written; "" when the line is malformed
  std::vector<std::string> users;
  std::string problem;  // why the line is malformed, or ""
};

std::vector<ComputerUsersLine> ParseComputerUsersCsv(std::string_view text);

}  // namespace lockbox::ad
