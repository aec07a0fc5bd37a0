// `lockbox rotate-master-key`, `lockbox backup` and `lockbox audit verify`: looking after a
// data dir, also while its server runs.
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/master_key_rotation.h"
#include "util/text.h"

namespace lockbox::cli {
namespace {

bool IsPostgres(const config::ServerConfig& cfg) {
  return cfg.store.starts_with("postgresql://") || cfg.store.starts_with("postgres://");
}

Status RotateMasterKeyCommand(const std::string& data_dir) {
  LOCKBOX_ASSIGN_OR_RETURN(config::ServerConfig cfg,
                           config::LoadConfig(config::ConfigPathFor(data_dir)));
  LOCKBOX_ASSIGN_OR_RETURN(RotationResult result, RotateMasterKey(cfg, std::cerr));
  const std::string key_path = cfg.ResolvePath(cfg.master_key_file);
  LOCKBOX_ASSIGN_OR_RETURN(auto db, OpenConfiguredStore(cfg));
  audit::AuditLog log(*db);
  store::AuditEntry entry = service::NewAuditEntry(
      LocalAdministrator(),
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  entry.reason = "master key rotated";
  entry.result = "old key kept as " + result.retired_key_path;
  const auto appended = log.Append(entry);
  if (!appended.ok()) {
    return appended.status().WithContext(
        "the master key was rotated, but the audit log could not be written");
  }
  std::cout << (result.completed_interrupted ? "Completed the interrupted rotation"
                                             : "Rotated the master key")
            << ": the store's data key is wrapped by the new key in " << key_path << ".\n"
            << "The old key is kept in " << result.retired_key_path << " (mode 0600).\n"
            << "Put the new key in your key backup now; backups of the store made before this "
               "rotation open only with the old key, so destroy the old key (shred -u) once no "
               "backup needs it any more.\n";
  if (IsPostgres(cfg)) {
    std::cout << "Every other server sharing this PostgreSQL store needs the new " << key_path
              << " before it restarts.\n";
  }
  return Status::Ok();
}

Status BackupCommand(const std::string& data_dir, const std::string& output) {
  LOCKBOX_ASSIGN_OR_RETURN(DataDir dir, OpenDataDir(data_dir));
  LOCKBOX_RETURN_IF_ERROR(dir.store->Backup(output));
  std::cout << "Backed up the store to " << output << " (mode 0600).\n"
            << "The backup holds no master key: it opens only with "
            << dir.config.ResolvePath(dir.config.master_key_file)
            << " as it is now. Keep the master key apart from the backups (another disk, a "
               "secrets store), never beside them.\n";
  return Status::Ok();
}

int AuditVerifyCommand(const std::string& data_dir, bool json) {
  auto dir = OpenDataDir(data_dir);
  if (!dir.ok()) return ReportError(dir.status(), json);
  audit::AuditLog log(*dir->store);
  const auto report = log.Verify();
  if (!report.ok()) return ReportError(report.status(), json);
  const std::string last_hash = ToHex(report->last_hash);
  if (json) {
    nlohmann::json out = {{"ok", report->ok},
                          {"entries_checked", report->entries_checked},
                          {"last_good_hash", last_hash}};
    if (!report->ok) {
      out["bad_sequence"] = report->bad_sequence;
      out["problem"] = report->problem;
    }
    std::cout << out.dump(2) << "\n";
    return report->ok ? kExitOk : kExitCorrupt;
  }
  std::cout << "Entries checked: " << report->entries_checked << "\n"
            << "Chain:           "
            << (report->ok ? "ok" : "BROKEN at entry " + std::to_string(report->bad_sequence))
            << "\n";
  if (!report->ok) std::cout << "Problem:         " << report->problem << "\n";
  std::cout << (report->ok ? "Last hash:       " : "Last good hash:  ");
  if (!last_hash.empty()) {
    std::cout << last_hash << "\n";
  } else {
    std::cout << (report->ok ? "(none: the log is empty)" : "(none: the first entry is bad)")
              << "\n";
  }
  if (report->ok) return kExitOk;
  return ReportError(Status::Corrupt("the audit log was altered at entry " +
                                     std::to_string(report->bad_sequence) + " (" + report->problem +
                                     "): keep the store as it is for investigation, and compare "
                                     "with a backup or an exported hash"),
                     false);
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, int* exit_code) {
  auto rotate_dir = std::make_shared<std::string>();
  CLI::App* rotate = app.add_subcommand(
      "rotate-master-key",
      "Make a new master key and re-wrap the store's data key under it (safe while serving; an "
      "interrupted run is completed by the next command)");
  rotate->add_option("--data-dir", *rotate_dir, "Folder holding lockbox.toml")->required();
  rotate->callback([rotate_dir, exit_code] {
    const Status status = RotateMasterKeyCommand(*rotate_dir);
    *exit_code = status.ok() ? kExitOk : ReportError(status, false);
  });

  struct BackupOptions {
    std::string data_dir;
    std::string output;
  };
  auto backup_options = std::make_shared<BackupOptions>();
  CLI::App* backup = app.add_subcommand(
      "backup",
      "Copy the SQLite store consistently while the server runs (without the master key; "
      "PostgreSQL: use pg_dump)");
  backup->add_option("--data-dir", backup_options->data_dir, "Folder holding lockbox.toml")
      ->required();
  backup->add_option("--output", backup_options->output, "The backup file to create (mode 0600)")
      ->required();
  backup->callback([backup_options, exit_code] {
    const Status status = BackupCommand(backup_options->data_dir, backup_options->output);
    *exit_code = status.ok() ? kExitOk : ReportError(status, false);
  });

  CLI::App* audit = app.add_subcommand("audit", "Check the audit log");
  audit->require_subcommand(1);
  struct VerifyOptions {
    std::string data_dir;
    bool json = false;
  };
  auto verify_options = std::make_shared<VerifyOptions>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Check the audit log's hash chain: exit 0 when intact, 5 when an entry was "
      "altered, removed or reordered");
  verify->add_option("--data-dir", verify_options->data_dir, "Folder holding lockbox.toml")
      ->required();
  verify->add_flag("--json", verify_options->json, "Print the report as JSON");
  verify->callback([verify_options, exit_code] {
    *exit_code = AuditVerifyCommand(verify_options->data_dir, verify_options->json);
  });
}

}  // namespace lockbox::cli
