// `lockbox init` and `lockbox serve`: setting up a data dir (with its first admin), and running
// the HTTPS server on it.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "api/routes.h"
#include "auth/accounts.h"
#include "auth/options.h"
#include "cli/commands.h"
#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/output_file.h"
#include "cli/secret_output.h"
#include "config/config.h"
#include "http/builtin_routes.h"
#include "http/line_sink.h"
#include "http/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls_certificate.h"
#include "service/options.h"
#include "store/master_key.h"
#include "store/store.h"
#include "web/routes.h"

namespace lockbox::cli {
namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string data_dir;
  std::string listen;
  std::string store;     // empty: the SQLite file in the data dir
  std::string tls_cert;  // both empty: a self-signed certificate is made
  std::string tls_key;
  std::string admin = "admin";
};

struct ServeOptions {
  std::string data_dir;
  std::string listen;  // empty: the config's
};

// Creates `dir` with mode 0700, or accepts an existing empty folder (made 0700): a data dir
// holds the master key, so nobody else may look inside.
Status MakePrivateDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return Status::AlreadyExists(dir.string() + " exists and is not a folder");
    }
    if (!fs::is_empty(dir, ec)) {
      return Status::AlreadyExists(dir.string() +
                                   " exists and is not empty; choose a new or empty folder");
    }
  } else {
    fs::create_directories(dir.parent_path(), ec);
    if (mkdir(dir.c_str(), 0700) != 0) {
      return Status::IoError("cannot create " + dir.string() + ": " + std::strerror(errno));
    }
  }
  if (chmod(dir.c_str(), 0700) != 0) {
    return Status::IoError("cannot make " + dir.string() + " private: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status WriteConfigFile(const std::string& path, const std::string& text) {
  LOCKBOX_ASSIGN_OR_RETURN(OutputFile out, OutputFile::Open(path, /*force=*/false));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(out.fd(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError("writing " + path + " failed: " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return out.Commit();
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

Status Init(const InitOptions& options) {
  std::error_code ec;
  const fs::path dir = fs::absolute(options.data_dir, ec).lexically_normal();
  const std::string config_path = config::ConfigPathFor(dir.string());
  if (fs::exists(config_path, ec)) {
    return Status::AlreadyExists(config_path + " exists: " + dir.string() +
                                 " is set up already. Start it with `lockbox serve --data-dir " +
                                 dir.string() + "`, or move it away to start over");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("give both --tls-cert and --tls-key, or neither");
  }
  // Checked before anything is created, so a bad name leaves nothing half set up.
  LOCKBOX_ASSIGN_OR_RETURN(const std::string admin_name, auth::NormalizeUserName(options.admin));
  config::ServerConfig cfg;
  cfg.data_dir = dir.string();
  if (!options.listen.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(cfg.listen, config::ParseListenAddress(options.listen));
  }
  if (!options.store.empty()) cfg.store = options.store;
  if (!options.tls_cert.empty()) {
    cfg.tls_cert_file = fs::absolute(options.tls_cert, ec).string();
    cfg.tls_key_file = fs::absolute(options.tls_key, ec).string();
  }

  LOCKBOX_RETURN_IF_ERROR(MakePrivateDir(dir));
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes master_key,
                           store::CreateMasterKeyFile(cfg.ResolvePath(cfg.master_key_file)));
  LOCKBOX_ASSIGN_OR_RETURN(auto db, store::OpenStore(cfg.ResolvePath(cfg.store), master_key));
  audit::AuditLog audit_log(*db);
  LOCKBOX_ASSIGN_OR_RETURN(auto accounts, auth::Accounts::Create(*db, audit_log, {}));
  LOCKBOX_ASSIGN_OR_RETURN(crypto::SecretBytes admin_password,
                           accounts->CreateFirstAdmin(admin_name));
  if (options.tls_cert.empty()) {
    if (mkdir((dir / "tls").c_str(), 0700) != 0) {
      return Status::IoError("cannot create " + (dir / "tls").string() + ": " +
                             std::strerror(errno));
    }
    const std::string host = HostName();
    http::SelfSignedCertificateRequest request{
        .common_name = host, .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1", "::1"}};
    if (host != "localhost") request.dns_names.push_back(host);
    LOCKBOX_RETURN_IF_ERROR(http::CreateSelfSignedCertificate(
        request, cfg.ResolvePath(cfg.tls_cert_file), cfg.ResolvePath(cfg.tls_key_file)));
  }
  // The config comes last: its presence is what says the setup is complete.
  LOCKBOX_RETURN_IF_ERROR(WriteConfigFile(config_path, config::FormatConfig(cfg)));

  std::cout << "Lockbox is set up in " << dir.string() << ":\n"
            << "  config       " << config_path << "\n"
            << "  store        " << cfg.ResolvePath(cfg.store) << "\n"
            << "  master key   " << cfg.ResolvePath(cfg.master_key_file)
            << "  (back it up, apart from the store: without it nothing can be recovered)\n"
            << "  certificate  " << cfg.ResolvePath(cfg.tls_cert_file)
            << (options.tls_cert.empty() ? "  (self-signed)" : "") << "\n"
            << "  admin        " << admin_name << ", one-time password: ";
  PrintSecret(std::cout, admin_password);
  std::cout << "\n"
            << "               (shown only now; it must be changed at the first sign-in)\n"
            << "Start it with: lockbox serve --data-dir " << dir.string() << "\n";
  return Status::Ok();
}

Status Serve(const ServeOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(config::ServerConfig cfg,
                           config::LoadConfig(config::ConfigPathFor(options.data_dir)));
  if (!options.listen.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(cfg.listen, config::ParseListenAddress(options.listen));
  }
  auto logger =
      http::MakeJsonLogger(std::make_shared<http::LineSink>(STDOUT_FILENO), cfg.log_level);
  LOCKBOX_ASSIGN_OR_RETURN(auto db, OpenConfiguredStore(cfg));

  LOCKBOX_ASSIGN_OR_RETURN(service::ServiceOptions service_options,
                           service::OptionsFromConfig(cfg));
  LOCKBOX_ASSIGN_OR_RETURN(auto services,
                           api::Services::Create(*db, {.service = std::move(service_options),
                                                       .auth = auth::OptionsFromConfig(cfg)}));
  http::Metrics metrics;
  http::Router router;
  // Reading one audit entry is the cheapest query that proves the store answers.
  LOCKBOX_RETURN_IF_ERROR(http::AddBuiltinRoutes(router, metrics, [&db]() -> Status {
    auto entries = db->ReadAudit(1, 1);
    if (entries.ok()) return Status::Ok();
    return Status::IoError("the store does not answer");
  }));
  LOCKBOX_RETURN_IF_ERROR(api::AddRoutes(router, *services));
  LOCKBOX_RETURN_IF_ERROR(web::AddRoutes(router));

  const http::ServerOptions server_options{.listen = cfg.listen,
                                           .limits = cfg.limits,
                                           .tls_cert_file = cfg.ResolvePath(cfg.tls_cert_file),
                                           .tls_key_file = cfg.ResolvePath(cfg.tls_key_file)};
  LOCKBOX_ASSIGN_OR_RETURN(auto server,
                           http::Server::Create(server_options, router, metrics, logger));
  server->RunUntilSignal();
  return Status::Ok();
}

}  // namespace

void AddServerCommands(CLI::App& app, int* exit_code) {
  auto init_options = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand(
      "init",
      "Set up a data dir for the server: config, store, master key, TLS certificate, first "
      "admin");
  init->add_option("--data-dir", init_options->data_dir, "Folder to create (mode 0700)")
      ->required();
  init->add_option("--listen", init_options->listen, "ADDRESS:PORT (default 127.0.0.1:8443)");
  init->add_option("--store", init_options->store,
                   "A postgresql:// URL instead of the SQLite file in the data dir");
  init->add_option("--tls-cert", init_options->tls_cert,
                   "Use this PEM certificate chain instead of making a self-signed one");
  init->add_option("--tls-key", init_options->tls_key, "The PEM private key of --tls-cert");
  init->add_option("--admin", init_options->admin,
                   "Name of the first admin account (default admin); its one-time password "
                   "is printed once");
  init->callback([init_options, exit_code] {
    const Status status = Init(*init_options);
    *exit_code = status.ok() ? kExitOk : ReportError(status, false);
  });

  auto serve_options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the HTTPS server on a data dir made by `lockbox init` (stops on SIGTERM)");
  serve->add_option("--data-dir", serve_options->data_dir, "Folder holding lockbox.toml")
      ->required();
  serve->add_option("--listen", serve_options->listen, "ADDRESS:PORT, overriding the config");
  serve->callback([serve_options, exit_code] {
    const Status status = Serve(*serve_options);
    *exit_code = status.ok() ? kExitOk : ReportError(status, false);
  });
}

}  // namespace lockbox::cli
