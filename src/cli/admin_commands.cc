// `lockbox enrollment-token create`, `lockbox api-token create` and `lockbox user create`:
// administration straight on the store, without the server (for scripts, benchmarks and
// break-glass). Each acts as a local admin, and each change is audited like one made through
// the API.
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.h"
#include "auth/accounts.h"
#include "auth/api_tokens.h"
#include "auth/machines.h"
#include "cli/commands.h"
#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/secret_output.h"
#include "service/roles.h"
#include "util/text.h"
#include "util/utc_time.h"

namespace lockbox::cli {
namespace {

Result<service::Role> ParseRoleOption(const std::string& name) {
  const std::optional<service::Role> role = service::ParseRole(name);
  if (!role) {
    return Status::InvalidArgument("there is no role named \"" + name +
                                   "\": choose admin, helpdesk, advanced-helpdesk, report-reader, "
                                   "data-migration or self-service");
  }
  return *role;
}

struct EnrollmentTokenOptions {
  std::string data_dir;
  std::string description;
  int64_t uses = 0;
  int64_t days = 0;
  bool json = false;
};

Status CreateEnrollmentToken(const EnrollmentTokenOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(DataDir dir, OpenDataDir(options.data_dir));
  audit::AuditLog log(*dir.store);
  auth::Machines machines(*dir.store, log, auth::AuthOptions{});
  LOCKBOX_ASSIGN_OR_RETURN(
      auth::NewEnrollmentToken made,
      machines.IssueEnrollmentToken(LocalAdministrator(), options.description, options.uses,
                                    std::chrono::days(options.days)));
  const store::EnrollmentToken& token = made.record;
  if (options.json) {
    PrintJsonWithSecret(std::cout,
                        {{"id", token.id},
                         {"description", token.description},
                         {"max_uses", token.max_uses},
                         {"expires_at", FormatUtc(token.expires_at)}},
                        "token", made.token);
    return Status::Ok();
  }
  std::cout << "Enrollment token " << token.id << " (\"" << token.description << "\", "
            << token.max_uses << " enrollments, expires " << FormatUtc(token.expires_at) << "):\n";
  PrintSecret(std::cout, made.token);
  std::cout << "\nIt is shown only this once: put it in the agents' installation now.\n";
  return Status::Ok();
}

struct ApiTokenOptions {
  std::string data_dir;
  std::string user;
  std::string role;
  int64_t days = 0;
  std::string description;
  bool json = false;
};

Status CreateApiToken(const ApiTokenOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(const service::Role role, ParseRoleOption(options.role));
  LOCKBOX_ASSIGN_OR_RETURN(DataDir dir, OpenDataDir(options.data_dir));
  audit::AuditLog log(*dir.store);
  auth::ApiTokens tokens(*dir.store, log, auth::AuthOptions{});
  LOCKBOX_ASSIGN_OR_RETURN(auth::NewApiToken made,
                           tokens.Create(LocalAdministrator(), options.user, role,
                                         std::chrono::days(options.days), options.description));
  const store::ApiToken& token = made.record;
  if (options.json) {
    PrintJsonWithSecret(std::cout,
                        {{"id", token.id},
                         {"user", token.user_name},
                         {"role", token.role},
                         {"description", token.description},
                         {"expires_at", FormatUtc(token.expires_at)}},
                        "token", made.token);
    return Status::Ok();
  }
  std::cout << "API token " << token.id << " for " << token.user_name << " as " << token.role
            << " (\"" << token.description << "\", expires " << FormatUtc(token.expires_at)
            << "):\n";
  PrintSecret(std::cout, made.token);
  std::cout << "\nIt is shown only this once. Send it as `Authorization: Bearer <token>`.\n";
  return Status::Ok();
}

struct UserOptions {
  std::string data_dir;
  std::string name;
  std::string display_name;  // empty: the name
  std::string role;
  bool service_account = false;
  bool json = false;
};

Status CreateUser(const UserOptions& options) {
  LOCKBOX_ASSIGN_OR_RETURN(const service::Role role, ParseRoleOption(options.role));
  LOCKBOX_ASSIGN_OR_RETURN(DataDir dir, OpenDataDir(options.data_dir));
  audit::AuditLog log(*dir.store);
  LOCKBOX_ASSIGN_OR_RETURN(auto accounts,
                           auth::Accounts::Create(*dir.store, log, auth::AuthOptions{}));
  const auth::NewUser user{
      .name = options.name,
      .display_name = options.display_name.empty() ? options.name : options.display_name,
      .role = role};
  crypto::SecretBytes password;
  store::User created;
  if (options.service_account) {
    LOCKBOX_ASSIGN_OR_RETURN(created, accounts->CreateServiceAccount(LocalAdministrator(), user));
  } else {
    LOCKBOX_ASSIGN_OR_RETURN(password, auth::OneTimePassword());
    LOCKBOX_ASSIGN_OR_RETURN(created, accounts->CreateUser(LocalAdministrator(), user, password));
  }
  if (options.json) {
    const nlohmann::json out = {{"name", created.name},
                                {"display_name", created.display_name},
                                {"role", created.role},
                                {"service_account", created.service_account}};
    if (created.service_account) {
      std::cout << out.dump(2) << "\n";
    } else {
      PrintJsonWithSecret(std::cout, out, "initial_password", password);
    }
    return Status::Ok();
  }
  if (created.service_account) {
    std::cout << "Service account " << created.name << " created (role " << created.role
              << "). It has no password and acts only through API tokens: lockbox api-token "
                 "create --user "
              << created.name << " ...\n";
    return Status::Ok();
  }
  std::cout << "User " << created.name << " created (role " << created.role
            << "). Initial password: ";
  PrintSecret(std::cout, password);
  std::cout << "\nIt is shown only this once and must be changed at the first sign-in.\n";
  return Status::Ok();
}

// Runs `command` with `options` when the subcommand is chosen, reporting its failure.
template <typename Options>
void OnRun(CLI::App* sub, std::shared_ptr<Options> options, int* exit_code,
           Status (*command)(const Options&)) {
  sub->callback([options, exit_code, command] {
    const Status status = command(*options);
    *exit_code = status.ok() ? kExitOk : ReportError(status, options->json);
  });
}

CLI::App* AddDataDirOption(CLI::App* sub, std::string& data_dir) {
  sub->add_option("--data-dir", data_dir, "Folder holding lockbox.toml")->required();
  return sub;
}

}  // namespace

void AddAdminCommands(CLI::App& app, int* exit_code) {
  CLI::App* enrollment =
      app.add_subcommand("enrollment-token",
                         "Tokens with which agents enroll their computers (offline, on the store)");
  enrollment->require_subcommand(1);
  auto enrollment_options = std::make_shared<EnrollmentTokenOptions>();
  CLI::App* create_enrollment = AddDataDirOption(
      enrollment->add_subcommand("create", "Issue an enrollment token; it is printed once"),
      enrollment_options->data_dir);
  create_enrollment
      ->add_option("--description", enrollment_options->description,
                   "What it is for (\"Berlin office rollout\")")
      ->required();
  create_enrollment
      ->add_option("--uses", enrollment_options->uses, "How many computers may enroll with it")
      ->required();
  create_enrollment
      ->add_option("--days", enrollment_options->days, "Days until it expires (at most 90)")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  create_enrollment->add_flag("--json", enrollment_options->json, "Print the result as JSON");
  OnRun(create_enrollment, enrollment_options, exit_code, &CreateEnrollmentToken);

  CLI::App* api = app.add_subcommand(
      "api-token", "Bearer tokens for scripts and integrations (offline, on the store)");
  api->require_subcommand(1);
  auto api_options = std::make_shared<ApiTokenOptions>();
  CLI::App* create_api = AddDataDirOption(
      api->add_subcommand("create", "Create an API token for an existing user; it is printed once"),
      api_options->data_dir);
  create_api->add_option("--user", api_options->user, "The account it acts as")->required();
  create_api
      ->add_option("--role", api_options->role,
                   "Its role: the owner's, or one the owner's covers (admin covers "
                   "advanced-helpdesk, helpdesk, report-reader)")
      ->required();
  create_api->add_option("--days", api_options->days, "Days until it expires (at most 366)")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  create_api->add_option("--description", api_options->description, "What it is for")->required();
  create_api->add_flag("--json", api_options->json, "Print the result as JSON");
  OnRun(create_api, api_options, exit_code, &CreateApiToken);

  CLI::App* users = app.add_subcommand("user", "Local accounts (offline, on the store)");
  users->require_subcommand(1);
  auto user_options = std::make_shared<UserOptions>();
  CLI::App* create_user = AddDataDirOption(
      users->add_subcommand("create",
                            "Create a person (a one-time password is printed once) or a service "
                            "account (no password)"),
      user_options->data_dir);
  create_user->add_option("--name", user_options->name, "The user name (\"contoso\\\\alice\")")
      ->required();
  create_user
      ->add_option("--role", user_options->role,
                   "admin, helpdesk, advanced-helpdesk, report-reader, data-migration or "
                   "self-service")
      ->required();
  create_user->add_option("--display-name", user_options->display_name,
                          "How the portals show them (default: the name)");
  create_user->add_flag("--service-account", user_options->service_account,
                        "No password: it acts only through API tokens");
  create_user->add_flag("--json", user_options->json, "Print the result as JSON");
  OnRun(create_user, user_options, exit_code, &CreateUser);
}

}  // namespace lockbox::cli
