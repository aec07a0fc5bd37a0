// `lockbox import ad`: BitLocker recovery information, TPM owner information and the users
// of computers from Active Directory into the store of a data dir (ad/importer.h does the
// work; this file is its command line: options, the bind password, progress and summary).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "ad/importer.h"
#include "ad/migration_sink.h"
#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/key_sources.h"
#include "ldap/connection.h"
#include "service/migration.h"
#include "service/options.h"
#include "util/utc_time.h"

namespace lockbox::cli {
namespace {

constexpr size_t kMaxPasswordFileBytes = 4096;
constexpr size_t kMaxUsersCsvBytes = 16 * 1024 * 1024;

struct ImportAdOptions {
  std::string url;
  std::string ca_file;
  bool plain_ldap = false;
  std::string bind_name;
  std::string password_file;
  bool gssapi = false;
  std::string data_dir;
  std::string after;
  std::string users_csv;
  int timeout_seconds = 30;
  ad::ImportOptions import;
  bool no_key_packages = false;
  bool dry_run = false;
  bool json = false;
  std::string to;              // a server's URL, to write through its data-migration API
  std::string token_file;      // its API token
  std::string server_ca_file;  // the CA of its certificate
  std::string state_file;      // where the last pass began, for the next (incremental sync)
  bool watch = false;
  int interval_seconds = 300;
};

// The state file: where the last pass on `url` and `search_base` began. A missing file, or
// one of another DC URL or search base, gives a full pass.
Result<std::optional<ad::SyncPoint>> ReadSyncState(const ImportAdOptions& options) {
  std::ifstream in(options.state_file, std::ios::binary);
  if (!in) return std::optional<ad::SyncPoint>();
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json state = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object() || !state.value("invocation_id", nlohmann::json()).is_string() ||
      !state.value("highest_usn", nlohmann::json()).is_number_integer()) {
    return Status::InvalidArgument("the state file " + options.state_file +
                                   " is not one `lockbox import ad` wrote: remove it for a full "
                                   "pass, or name another with --state-file");
  }
  if (state.value("url", "") != options.url ||
      state.value("search_base", "") != options.import.search_base) {
    return std::optional<ad::SyncPoint>();
  }
  return std::optional<ad::SyncPoint>(
      ad::SyncPoint{.invocation_id = state["invocation_id"].get<std::string>(),
                    .highest_usn = state["highest_usn"].get<int64_t>()});
}

// Replaces the state file whole (a new file renamed over it), so a crash leaves the old one.
Status WriteSyncState(const ImportAdOptions& options, const ad::SyncPoint& point) {
  const nlohmann::json state = {{"url", options.url},
                                {"search_base", options.import.search_base},
                                {"invocation_id", point.invocation_id},
                                {"highest_usn", point.highest_usn}};
  const std::string temporary = options.state_file + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << state.dump(2) << "\n";
    if (!out.flush()) return Status::IoError("cannot write the state file " + temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, options.state_file, ec);
  if (ec) {
    return Status::IoError("cannot replace the state file " + options.state_file + ": " +
                           ec.message());
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> ReadBindPassword(const ImportAdOptions& options) {
  if (options.password_file.empty()) {
    return PromptSecret("Password for " + options.bind_name + ": ",
                        "no --password-file was given and there is no terminal to ask for the "
                        "bind password on: give --password-file FILE (\"-\" reads stdin)");
  }
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes text,
                           ReadSecretFile(options.password_file, kMaxPasswordFileBytes));
  return crypto::SecretBytes(FirstLine(text.span()));
}

// "2024-05-01" or an RFC 3339 date-time.
Result<std::chrono::sys_seconds> ParseAfter(const std::string& text) {
  auto parsed = ParseUtc(text.size() == 10 ? text + "T00:00:00Z" : text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("--after \"" + text +
                                   "\" is not a date (2024-05-01) or a date-time "
                                   "(2024-05-01T09:30:00Z)");
  }
  return parsed;
}

// One self-rewriting line on stderr while reading, only on a terminal, at most 10 a second.
class ImportProgress {
 public:
  ImportProgress() : enabled_(isatty(STDERR_FILENO) != 0) {}
  ~ImportProgress() {
    if (drawn_) std::fputc('\n', stderr);
  }
  void Update(const ad::ImportSummary& s) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    std::fprintf(stderr, "\r%zu computers, %zu recovery objects, %zu TPM, %zu users read",
                 s.computers, s.recovery_objects, s.tpm.read, s.users.read);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

nlohmann::json CountsJson(const ad::OutcomeCounts& c, bool dry_run) {
  if (dry_run) return {{"read", c.read}, {"invalid", c.invalid}};
  return {{"read", c.read},           {"new", c.created},     {"updated", c.updated},
          {"unchanged", c.unchanged}, {"changed", c.changed}, {"stale", c.stale},
          {"invalid", c.invalid}};
}

std::string CountsText(const ad::OutcomeCounts& c, bool dry_run) {
  if (dry_run) return std::to_string(c.read) + " read, " + std::to_string(c.invalid) + " invalid";
  std::string out = std::to_string(c.created) + " new, " + std::to_string(c.unchanged) +
                    " unchanged, " + std::to_string(c.changed) + " changed (stored kept)";
  if (c.updated > 0) out += ", " + std::to_string(c.updated) + " updated";
  if (c.stale > 0) out += ", " + std::to_string(c.stale) + " older than stored";
  return out;
}

void PrintSummary(const ad::ImportSummary& s, bool json) {
  if (json) {
    nlohmann::json skipped = nlohmann::json::array();
    for (const ad::SkippedObject& o : s.skipped) {
      skipped.push_back({{"dn", o.dn}, {"reason", o.reason}});
    }
    const nlohmann::json out = {{"dry_run", s.dry_run},
                                {"incremental", s.incremental},
                                {"highest_usn", s.sync_point.highest_usn},
                                {"computers", s.computers},
                                {"recovery_objects", s.recovery_objects},
                                {"keys", CountsJson(s.keys, s.dry_run)},
                                {"tpm", CountsJson(s.tpm, s.dry_run)},
                                {"users", CountsJson(s.users, s.dry_run)},
                                {"skipped", skipped}};
    std::cout << out.dump(2) << std::endl;  // flushed: under --watch, one per pass
    return;
  }
  std::cout << (s.dry_run ? "Dry run, nothing written.\n" : "")
            << (s.incremental ? "Changes only (incremental sync).\n" : "")
            << "Computers:        " << s.computers << "\n"
            << "Recovery keys:    " << CountsText(s.keys, s.dry_run) << " (of "
            << s.recovery_objects << " recovery objects)\n"
            << "TPM owner info:   " << CountsText(s.tpm, s.dry_run) << "\n"
            << "Users linked:     " << CountsText(s.users, s.dry_run) << "\n"
            << "Skipped:          " << s.skipped.size() << "\n";
  for (const ad::SkippedObject& o : s.skipped)
    std::cout << "  " << o.dn << ": " << o.reason << "\n";
  std::cout.flush();
}

Status ImportPass(ImportAdOptions& options, ad::MigrationSink* sink,
                  const crypto::SecretBytes& password);

Status ImportAd(ImportAdOptions& options) {
  if (!options.to.empty() && !options.data_dir.empty()) {
    return Status::InvalidArgument(
        "give --data-dir DIR (the store) or --to https://SERVER (its API), not both");
  }
  if (options.data_dir.empty() && options.to.empty() && !options.dry_run) {
    return Status::InvalidArgument(
        "give --data-dir DIR to import into, --to https://SERVER with --token-file, or "
        "--dry-run");
  }
  if (!options.to.empty() && options.token_file.empty()) {
    return Status::InvalidArgument(
        "--to needs --token-file FILE: an API token of role data-migration (lockbox api-token "
        "create)");
  }
  if (!options.after.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(options.import.after, ParseAfter(options.after));
  }
  options.import.key_packages = !options.no_key_packages;
  if (!options.users_csv.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(const crypto::SecretBytes text,
                             ReadSecretFile(options.users_csv, kMaxUsersCsvBytes));
    options.import.users_csv =
        ad::ParseComputerUsersCsv({reinterpret_cast<const char*>(text.data()), text.size()});
    options.import.users_csv_name = options.users_csv;
  }

  // Where to write, first: a wrong data dir or token file should not cost a bind.
  std::optional<DataDir> dir;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<service::ServiceOptions> service_options;
  std::unique_ptr<service::MigrationService> migration;
  std::unique_ptr<ad::MigrationSink> sink;
  if (!options.dry_run && !options.to.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes token,
                             ReadSecretFile(options.token_file, kMaxPasswordFileBytes));
    LOCKBOX_ASSIGN_OR_RETURN(sink,
                             ad::ApiSink::Create(options.to, options.server_ca_file,
                                                 crypto::SecretBytes(FirstLine(token.span()))));
  } else if (!options.dry_run) {
    LOCKBOX_ASSIGN_OR_RETURN(dir, OpenDataDir(options.data_dir));
    audit = std::make_unique<audit::AuditLog>(*dir->store);
    LOCKBOX_ASSIGN_OR_RETURN(service::ServiceOptions from_config,
                             service::OptionsFromConfig(dir->config));
    service_options = std::make_unique<service::ServiceOptions>(std::move(from_config));
    migration = std::make_unique<service::MigrationService>(*dir->store, *audit, *service_options);
    service::Actor actor = LocalAdministrator();
    actor.name = "lockbox import ad from " + options.url;
    sink = std::make_unique<ad::StoreSink>(*migration, std::move(actor));
  }
  if (options.gssapi != options.bind_name.empty()) {
    return Status::InvalidArgument(
        "give --bind-dn NAME (a simple bind with a password) or --gssapi (Kerberos), one of them");
  }
  if (options.watch && options.state_file.empty()) {
    return Status::InvalidArgument("--watch needs --state-file FILE: where each pass began");
  }
  crypto::SecretBytes password;
  if (!options.gssapi) {
    LOCKBOX_ASSIGN_OR_RETURN(password, ReadBindPassword(options));
  }
  if (!options.watch) return ImportPass(options, sink.get(), password);
  // Each pass connects anew, so a domain controller restarted between passes is no error;
  // a failed pass is reported and the next one tried after the interval.
  for (;;) {
    const Status pass = ImportPass(options, sink.get(), password);
    if (!pass.ok()) std::cerr << "lockbox import ad: this pass failed: " << pass.message() << "\n";
    std::this_thread::sleep_for(std::chrono::seconds(options.interval_seconds));
  }
}

// One pass: connects, binds, imports (incrementally when the state file allows), and records
// where the pass began in the state file.
Status ImportPass(ImportAdOptions& options, ad::MigrationSink* sink,
                  const crypto::SecretBytes& password) {
  if (!options.state_file.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(options.import.since, ReadSyncState(options));
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto directory,
                           ldap::Connection::Open({.url = options.url,
                                                   .ca_file = options.ca_file,
                                                   .plain = options.plain_ldap,
                                                   .timeout_ms = options.timeout_seconds * 1000}));
  LOCKBOX_RETURN_IF_ERROR(options.gssapi ? directory->GssapiBind()
                                         : directory->SimpleBind(options.bind_name, password));

  ad::Importer importer(*directory, sink);
  ad::ImportSummary summary;
  {
    ImportProgress progress;
    LOCKBOX_ASSIGN_OR_RETURN(
        summary, importer.Run(options.import,
                              [&](const ad::ImportSummary& so_far) { progress.Update(so_far); }));
  }
  PrintSummary(summary, options.json);
  if (options.state_file.empty() || summary.dry_run) return Status::Ok();
  return WriteSyncState(options, summary.sync_point);
}

}  // namespace

void AddImportCommands(CLI::App& app, int* exit_code) {
  CLI::App* import = app.add_subcommand("import", "Bring recovery data into Lockbox");
  import->require_subcommand(1);
  auto options = std::make_shared<ImportAdOptions>();
  CLI::App* ad = import->add_subcommand(
      "ad",
      "BitLocker recovery passwords, key packages, TPM owner information and the users of "
      "computers (managedBy) from Active Directory; a rerun changes nothing");
  ad->add_option("--url", options->url,
                 "The domain controller: ldaps://HOST[:PORT], or ldap://HOST[:PORT] with "
                 "StartTLS (name the host as its certificate does)")
      ->required();
  ad->add_option("--ca-file", options->ca_file,
                 "PEM file of the CA that issued the domain controller's certificate "
                 "(default: the system's CAs)");
  ad->add_flag("--plain-ldap", options->plain_ldap,
               "ldap:// without TLS: the password and the keys cross the network readable");
  ad->add_option("--bind-dn", options->bind_name,
                 "Who to bind as: a DN, user@domain or DOMAIN\\user (simple bind)");
  ad->add_flag("--gssapi", options->gssapi,
               "Bind with Kerberos (SASL GSSAPI) as the holder of the current ticket (kinit)");
  ad->add_option("--password-file", options->password_file,
                 "File whose first line is the bind password (\"-\" = stdin); without it the "
                 "password is asked for on the terminal");
  ad->add_option("--search-base", options->import.search_base,
                 "The OU (or container) holding the computers")
      ->required();
  ad->add_flag("--recurse", options->import.recurse,
               "Computers in the whole subtree, not only directly below the search base");
  ad->add_option("--after", options->after,
                 "Only recovery objects created in AD at or after this date (2024-05-01 or "
                 "2024-05-01T09:30:00Z)");
  ad->add_option("--users-csv", options->users_csv,
                 "More users of computers: a CSV file of lines COMPUTER,DOMAIN\\user[,...]");
  ad->add_flag("--no-key-packages", options->no_key_packages, "Leave out msFVE-KeyPackage");
  ad->add_option("--page-size", options->import.page_size, "Entries per LDAP page")
      ->default_val(1000)
      ->check(CLI::Range(1, 100000));
  ad->add_option("--timeout-seconds", options->timeout_seconds,
                 "For connecting and for each LDAP request")
      ->default_val(30)
      ->check(CLI::Range(1, 3600));
  ad->add_option("--data-dir", options->data_dir, "The server's data dir to import into");
  ad->add_option("--to", options->to,
                 "Write through this server's data-migration API (https://HOST[:PORT]) instead "
                 "of into a data dir");
  ad->add_option("--token-file", options->token_file,
                 "With --to: a file whose first line is an API token of role data-migration");
  ad->add_option("--server-ca-file", options->server_ca_file,
                 "With --to: PEM file of the CA (or the certificate) the server's certificate "
                 "chains to");
  ad->add_flag("--dry-run", options->dry_run, "Read and check everything, write nothing");
  ad->add_flag("--json", options->json, "Print the summary as JSON");
  ad->add_option("--state-file", options->state_file,
                 "Incremental sync: read only what changed in AD since the pass this file "
                 "records (uSNChanged), and record this pass in it");
  ad->add_flag("--watch", options->watch,
               "Keep running: a pass every --interval-seconds, each reading only the changes "
               "(needs --state-file)");
  ad->add_option("--interval-seconds", options->interval_seconds, "Between --watch passes")
      ->default_val(300)
      ->check(CLI::Range(1, 86400));
  ad->callback([options, exit_code] {
    const Status status = ImportAd(*options);
    *exit_code = status.ok() ? kExitOk : ReportError(status, options->json);
  });
}

}  // namespace lockbox::cli
