// `lockbox recovery-password`: checking a typed recovery password, generating a new one.
#include "cli/recovery_password_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "crypto/secret.h"
#include "recovery/check.h"
#include "recovery/check_json.h"
#include "recovery/key_id.h"
#include "recovery/recovery_password.h"
#include "util/text.h"

namespace lockbox::cli {
namespace {

void WipeString(std::string& text) {
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
}

// The password from stdin: one line from a terminal (after a prompt on stderr), everything when
// piped. Reading stdin keeps the password out of argv, which other users see in `ps`.
std::string ReadPasswordFromStdin() {
  std::string typed;
  if (isatty(STDIN_FILENO)) {
    std::cerr << "Recovery password: " << std::flush;
    std::getline(std::cin, typed);
  } else {
    typed.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  return typed;
}

// "not divisible by 11" for the human report; the full sentence goes to stderr.
const char* ShortProblem(recovery::BlockProblem problem) {
  switch (problem) {
    case recovery::BlockProblem::kNone:
      return "ok";
    case recovery::BlockProblem::kNotDivisibleBy11:
      return "is not divisible by 11";
    case recovery::BlockProblem::kTooLarge:
      return "is too large (blocks are at most 720885)";
  }
  return "";
}

void PrintHumanReport(const recovery::CheckReport& report) {
  for (const recovery::BlockCheck& block : report.blocks) {
    std::cout << "block " << block.number << "  ";
    if (block.ok()) {
      std::cout << "ok\n";
      continue;
    }
    std::cout << "WRONG: " << block.digits << " " << ShortProblem(block.problem) << "\n";
    if (block.candidates.empty()) {
      std::cout << "         no valid block is one mistyped or swapped digit away: "
                   "at least two digits are wrong\n";
      continue;
    }
    std::cout << "         valid blocks one mistake away:\n";
    for (const recovery::BlockCandidate& candidate : block.candidates) {
      std::cout << "           " << candidate.digits << "  (" << candidate.Describe() << ")\n";
    }
  }
  if (report.valid) {
    std::cout << "The recovery password is well-formed: all 8 blocks pass their check digit.\n";
  }
}

}  // namespace

int RunRecoveryPasswordCheck(std::string_view typed, bool json) {
  const recovery::CheckReport report = recovery::Check(typed);
  const Status status = report.valid ? Status::Ok() : Status::InvalidArgument(report.Summary());
  if (json) {
    nlohmann::json out = recovery::CheckReportToJson(report);
    if (!status.ok()) {
      out["error"] = {{"code", ErrorCodeName(status.code())}, {"message", status.message()}};
    }
    std::cout << out.dump(2) << "\n";
    return ExitCodeFor(status);
  }
  PrintHumanReport(report);
  return status.ok() ? kExitOk : ReportError(status, /*json=*/false);
}

int RunRecoveryPasswordGenerate(bool json) {
  auto password = recovery::RecoveryPassword::Generate();
  if (!password.ok()) return ReportError(password.status(), json);
  auto protector_id = recovery::NewProtectorId();
  if (!protector_id.ok()) return ReportError(protector_id.status(), json);

  std::string text = password->ToString();
  std::string key_hex = ToHex(password->key().span());
  if (json) {
    nlohmann::json out = {{"recovery_password", text},
                          {"key_hex", key_hex},
                          {"key_id", recovery::ShortKeyId(*protector_id)},
                          {"key_id_full", recovery::FullKeyId(*protector_id)},
                          {"protector_guid", protector_id->ToString()}};
    std::string dumped = out.dump(2);
    std::cout << dumped << "\n";
    WipeString(dumped);
  } else {
    std::cout << "Recovery password:  " << text << "\n"
              << "Recovery key (hex): " << key_hex << "\n"
              << "Recovery key ID:    " << recovery::ShortKeyId(*protector_id) << "\n"
              << "Full key ID:        " << recovery::FullKeyId(*protector_id) << "\n";
  }
  WipeString(text);
  WipeString(key_hex);
  return kExitOk;
}

void AddRecoveryPasswordCommand(CLI::App& app, int* exit_code) {
  CLI::App* command = app.add_subcommand(
      "recovery-password", "Check a typed BitLocker recovery password, or generate a new one");
  command->require_subcommand(1);

  struct CheckOptions {
    std::string password;
    bool json = false;
  };
  auto check_options = std::make_shared<CheckOptions>();
  CLI::App* check = command->add_subcommand(
      "check",
      "Check a recovery password block by block and list the likely corrections of wrong blocks");
  check->add_option("password", check_options->password,
                    "The 48 digits; omit or '-' to read stdin (preferred: arguments are visible "
                    "to other users in ps)");
  check->add_flag("--json", check_options->json, "Print the report as JSON");
  check->callback([check_options, exit_code] {
    std::string& typed = check_options->password;
    if (typed.empty() || typed == "-") typed = ReadPasswordFromStdin();
    *exit_code = RunRecoveryPasswordCheck(typed, check_options->json);
    WipeString(typed);
  });

  auto generate_json = std::make_shared<bool>(false);
  CLI::App* generate = command->add_subcommand(
      "generate",
      "Print a new random recovery password, its 16-byte key and a new protector key ID");
  generate->add_flag("--json", *generate_json, "Print the result as JSON");
  generate->callback(
      [generate_json, exit_code] { *exit_code = RunRecoveryPasswordGenerate(*generate_json); });
}

}  // namespace lockbox::cli
