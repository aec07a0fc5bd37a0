// `lockbox import ad` and the LDAP client against a real Samba AD domain controller: TLS
// (LDAPS, StartTLS) with certificate verification, binds, paged searches, and the import of
// computers in nested OUs with several recovery objects, malformed ones, TPM owner
// information of both kinds and managedBy users, run as the built binary on a data dir made
// by `lockbox init`; what it wrote is checked through the store.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli/data_dir.h"
#include "ldap/connection.h"
#include "lockbox_process.h"
#include "test_directory.h"
#include "util/guid.h"
#include "util/utc_time.h"

namespace lockbox {
namespace {

using testing::CommandResult;
using testing::Lockbox;
using testing::TestDir;

TEST_F(SambaTest, LdapsAndStartTlsVerifyTheCertificateAndBind) {
  for (const std::string url : {"ldaps://127.0.0.1", "ldap://127.0.0.1"}) {
    auto connection = Connect(url, dc().ca_file);
    ASSERT_TRUE(connection.ok()) << url << ": " << connection.status().message();
    ASSERT_TRUE((*connection)->SimpleBind(dc().admin_name, Secret(dc().admin_password)).ok());
    size_t seen = 0;
    ASSERT_TRUE((*connection)
                    ->Search(Request(kBase, ldap::Scope::kBase),
                             [&](ldap::Entry entry) {
                               EXPECT_EQ(entry.dn, kBase);
                               ++seen;
                               return Status::Ok();
                             })
                    .ok());
    EXPECT_EQ(seen, 1u) << url;
  }
}

TEST_F(SambaTest, AWrongCaFailsTheConnectionAndSaysWhy) {
  for (const std::string url : {"ldaps://127.0.0.1", "ldap://127.0.0.1"}) {
    auto connection = Connect(url, dc().wrong_ca_file);
    ASSERT_FALSE(connection.ok()) << url;
    EXPECT_EQ(connection.status().code(), ErrorCode::kIoError);
    EXPECT_NE(connection.status().message().find("certificate is not issued by a CA in " +
                                                 dc().wrong_ca_file),
              std::string::npos)
        << connection.status().message();
  }
}

TEST_F(SambaTest, AHostNameTheCertificateDoesNotNameIsRefused) {
  // The certificate names 127.0.0.1 and dc1.corp.example.test, not "localhost".
  auto connection = Connect("ldaps://localhost", dc().ca_file);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), ErrorCode::kIoError);
  EXPECT_NE(connection.status().message().find("TLS handshake failed"), std::string::npos)
      << connection.status().message();
  // Nothing listens there: a different message.
  auto nowhere = Connect("ldaps://127.0.0.1:1", dc().ca_file);
  ASSERT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.status().message().find("check the host and port"), std::string::npos)
      << nowhere.status().message();
}

TEST_F(SambaTest, AWrongPasswordIsRefusedWithoutEchoingIt) {
  auto connection = Connect("ldaps://127.0.0.1", dc().ca_file);
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  const Status bound = (*connection)->SimpleBind(dc().admin_name, Secret("Wr0ng!Secret-Typed"));
  EXPECT_EQ(bound.code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(bound.message().find("the name or the password is wrong"), std::string::npos)
      << bound.message();
  EXPECT_EQ(bound.message().find("Wr0ng!Secret-Typed"), std::string::npos);
  EXPECT_EQ((*connection)->SimpleBind(dc().admin_name, Secret("")).code(),
            ErrorCode::kInvalidArgument);  // an empty password would bind anonymously
}

TEST_F(SambaTest, PagedSearchesReturnEveryEntryWhateverThePageSize) {
  auto connection = Connect("ldaps://127.0.0.1", dc().ca_file);
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  ASSERT_TRUE((*connection)->SimpleBind(dc().admin_name, Secret(dc().admin_password)).ok());
  const auto count = [&](int page_size, ldap::Scope scope) {
    size_t n = 0;
    const Status searched =
        (*connection)->Search(Request(kWorkstations, scope, page_size), [&](ldap::Entry) {
          ++n;
          return Status::Ok();
        });
    EXPECT_TRUE(searched.ok()) << searched.message();
    return n;
  };
  // The OU, Berlin, 3 computers and 7 recovery objects.
  EXPECT_EQ(count(1000, ldap::Scope::kSubtree), 12u);
  EXPECT_EQ(count(2, ldap::Scope::kSubtree), 12u);
  EXPECT_EQ(count(1, ldap::Scope::kOneLevel), 3u);  // Berlin, PC-01, PC-02
  EXPECT_EQ(count(5, ldap::Scope::kBase), 1u);

  const Status missing =
      (*connection)->Search(Request("OU=Nowhere," + kBase, ldap::Scope::kSubtree), [](ldap::Entry) {
        return Status::Ok();
      });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.message();
  const Status stopped =
      (*connection)->Search(Request(kWorkstations, ldap::Scope::kSubtree, 2), [](ldap::Entry) {
        return Status::Internal("the handler stops the search");
      });
  EXPECT_EQ(stopped.message(), "the handler stops the search");
}

// Kerberos: a ticket from samba's KDC (kinit), then SASL GSSAPI over LDAPS and, sealed by
// SASL itself, over plain LDAP.
TEST_F(SambaTest, KerberosBindsWithTheTicketOfKinit) {
  if (std::system("command -v kinit > /dev/null 2>&1") != 0) {
    if (testing::SambaRequired()) FAIL() << "kinit is missing: apt-get install krb5-user";
    GTEST_SKIP() << "kinit is not installed (apt-get install krb5-user)";
  }
  TestDir tmp;
  setenv("KRB5_CONFIG", dc().krb5_config.c_str(), 1);
  setenv("KRB5CCNAME", ("FILE:" + tmp / "no-ticket").c_str(), 1);
  {
    auto connection = Connect("ldaps://127.0.0.1", dc().ca_file);
    ASSERT_TRUE(connection.ok()) << connection.status().message();
    const Status refused = (*connection)->GssapiBind();
    EXPECT_EQ(refused.code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(refused.message().find("kinit"), std::string::npos) << refused.message();
  }
  setenv("KRB5CCNAME", ("FILE:" + tmp / "ccache").c_str(), 1);
  const std::string kinit = "echo '" + dc().admin_password +
                            "' | kinit Administrator@CORP.EXAMPLE.TEST > " + tmp / "kinit.log" +
                            " 2>&1";
  ASSERT_EQ(std::system(kinit.c_str()), 0) << testing::ReadFile(tmp / "kinit.log");
  for (const bool plain : {false, true}) {
    auto connection =
        ldap::Connection::Open({.url = plain ? "ldap://127.0.0.1" : "ldaps://127.0.0.1",
                                .ca_file = dc().ca_file,
                                .plain = plain});
    ASSERT_TRUE(connection.ok()) << connection.status().message();
    const Status bound = (*connection)->GssapiBind();
    ASSERT_TRUE(bound.ok()) << bound.message();
    size_t n = 0;
    EXPECT_TRUE((*connection)
                    ->Search(Request(kWorkstations, ldap::Scope::kOneLevel),
                             [&](ldap::Entry) {
                               ++n;
                               return Status::Ok();
                             })
                    .ok());
    EXPECT_EQ(n, 3u) << (plain ? "plain" : "ldaps");
  }
  // The command line too (the spawned lockbox inherits the ticket cache).
  const CommandResult run =
      Lockbox(tmp, {"import", "ad", "--url", "ldaps://127.0.0.1", "--ca-file", dc().ca_file,
                    "--gssapi", "--search-base", kWorkstations, "--dry-run", "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"computers\": 2"), std::string::npos) << run.out;
  unsetenv("KRB5CCNAME");
  unsetenv("KRB5_CONFIG");
}

// `lockbox import ad` end to end, as an administrator would run it.
class ImportAdTest : public SambaTest {
 protected:
  void SetUp() override {
    SambaTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(Lockbox(tmp_, {"init", "--data-dir", data_}).exit_code, 0);
    std::FILE* f = std::fopen(password_file_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "%s\n", dc().admin_password.c_str());
    std::fclose(f);
  }

  std::vector<std::string> ImportArgs(std::vector<std::string> extra,
                                      const std::string& url = "ldaps://127.0.0.1",
                                      const std::string& search_base = kWorkstations) const {
    std::vector<std::string> args = {
        "import",          "ad",           "--url",         url,
        "--ca-file",       dc().ca_file,   "--bind-dn",     dc().admin_name,
        "--password-file", password_file_, "--search-base", search_base,
        "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  CommandResult Import(std::vector<std::string> extra, const std::string& url = "ldaps://127.0.0.1",
                       const std::string& search_base = kWorkstations) {
    return Lockbox(tmp_, ImportArgs(std::move(extra), url, search_base));
  }
  static nlohmann::json Json(const CommandResult& run) {
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  }
  std::string Reasons(const nlohmann::json& summary) const { return summary["skipped"].dump(2); }
  // Changes the directory as `name` (its administrator by default): `ldif` holds entries to
  // add, and changes with their changetype line.
  void Modify(const std::string& ldif, const std::string& name = "",
              const std::string& password = "") {
    const std::string file = tmp_ / "change.ldif";
    std::FILE* out = std::fopen(file.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fputs(ldif.c_str(), out);
    std::fclose(out);
    // ldapmodify -y reads the whole file as the password: no line ending.
    const std::string raw = password_file_ + ".raw";
    std::FILE* f = std::fopen(raw.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs((password.empty() ? dc().admin_password : password).c_str(), f);
    std::fclose(f);
    chmod(raw.c_str(), 0600);
    const std::string modify = "LDAPTLS_CACERT=" + dc().ca_file +
                               " ldapmodify -a -x -H ldaps://127.0.0.1 -D " +
                               (name.empty() ? dc().admin_name : name) + " -y " + raw + " -f " +
                               file + " > " + tmp_ / "ldapmodify.log" + " 2>&1";
    ASSERT_EQ(std::system(modify.c_str()), 0) << testing::ReadFile(tmp_ / "ldapmodify.log");
  }

  TestDir tmp_;
  const std::string data_ = tmp_ / "data";
  const std::string password_file_ = tmp_ / "bind-password";
};

TEST_F(ImportAdTest, ImportsEverythingOnceAndASecondRunChangesNothing) {
  const nlohmann::json first = Json(Import({"--data-dir", data_, "--recurse"}));
  EXPECT_EQ(first["computers"], 3);
  EXPECT_EQ(first["recovery_objects"], 7);
  EXPECT_EQ(first["keys"]["new"], 4) << Reasons(first);
  EXPECT_EQ(first["keys"]["invalid"], 3) << Reasons(first);
  EXPECT_EQ(first["tpm"]["new"], 2) << Reasons(first);
  EXPECT_EQ(first["users"]["new"], 2) << Reasons(first);
  // The malformed name, the bad block, the missing volume GUID, and the group in managedBy.
  const std::string reasons = Reasons(first);
  ASSERT_EQ(first["skipped"].size(), 4u) << reasons;
  EXPECT_NE(reasons.find("CN=not a name Windows writes"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("not divisible by 11"), std::string::npos) << reasons;
  EXPECT_EQ(reasons.find("123456"), std::string::npos) << "a secret's digits in " << reasons;
  EXPECT_NE(reasons.find("msFVE-VolumeGuid is missing"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("is not a user"), std::string::npos) << reasons;

  const nlohmann::json second = Json(Import({"--data-dir", data_, "--recurse"}));
  EXPECT_EQ(second["keys"]["new"], 0);
  EXPECT_EQ(second["keys"]["unchanged"], 4);
  EXPECT_EQ(second["tpm"]["unchanged"], 2);
  EXPECT_EQ(second["users"]["unchanged"], 2);
  EXPECT_EQ(second["keys"]["changed"], 0);

  // What the store holds, as the server would read it.
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  store::Store& store = *dir->store;
  auto password = store.OpenRecoveryPassword(Guid::Parse(Key(1)).value());
  ASSERT_TRUE(password.ok()) << password.status().message();
  EXPECT_EQ(std::string(password->data(), password->data() + password->size()), kPassword1);
  auto key = store.GetRecoveryKey(Guid::Parse(Key(1)).value());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->volume_id, Guid::Parse(Volume(1)).value());
  ASSERT_TRUE(key->created_at.has_value());
  EXPECT_EQ(FormatUtc(*key->created_at), "2019-02-28T18:31:05Z");  // the name's time, in UTC
  EXPECT_TRUE(store.OpenKeyPackage(Guid::Parse(Key(1)).value()).ok());

  auto pc1 = store.FindComputersByName("PC-01");
  ASSERT_TRUE(pc1.ok());
  ASSERT_EQ(pc1->size(), 1u);
  EXPECT_EQ((*pc1)[0].domain, "corp.example.test");
  auto users = store.ListComputerUsers((*pc1)[0].id);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].user, "corp\\alice");
  auto pc2 = store.FindComputersByName("PC-02");
  ASSERT_TRUE(pc2.ok());
  ASSERT_EQ(pc2->size(), 1u);
  auto tpm = store.OpenTpmOwnerAuth((*pc2)[0].id);
  ASSERT_TRUE(tpm.ok()) << tpm.status().message();
  EXPECT_EQ(std::string(tpm->data(), tpm->data() + tpm->size()),
            "dHBtLW9iamVjdC1vd25lci1hdXRoLTAy");
}

TEST_F(ImportAdTest, OneLevelLeavesOutNestedOusDryRunWritesNothingAndCsvAddsUsers) {
  const nlohmann::json dry = Json(Import({"--dry-run", "--no-key-packages"}, "ldap://127.0.0.1"));
  EXPECT_EQ(dry["dry_run"], true);
  EXPECT_EQ(dry["computers"], 2);        // PC-03 is in OU=Berlin
  EXPECT_EQ(dry["keys"]["read"], 4);     // K5's bad block is found by the check, not the reader
  EXPECT_EQ(dry["keys"]["invalid"], 3);  // the bad block, the malformed name, no volume GUID
  // Users from a CSV file too, for computers that were read (PC-03 was not).
  std::FILE* csv = std::fopen((tmp_ / "users.csv").c_str(), "w");
  ASSERT_NE(csv, nullptr);
  std::fputs("computer,users\npc-02,CORP\\carol,CORP\\dave\nPC-03,CORP\\erin\nPC-01\n", csv);
  std::fclose(csv);
  const nlohmann::json run =
      Json(Import({"--data-dir", data_, "--no-key-packages", "--users-csv", tmp_ / "users.csv"}));
  EXPECT_EQ(run["keys"]["new"], 3) << Reasons(run);
  EXPECT_EQ(run["users"]["new"], 2) << Reasons(run);  // alice (managedBy); carol and dave
  EXPECT_NE(Reasons(run).find("PC-03 is not among the computers read"), std::string::npos)
      << Reasons(run);
  EXPECT_NE(Reasons(run).find("users.csv line 4"), std::string::npos) << Reasons(run);
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_EQ(dir->store->OpenKeyPackage(Guid::Parse(Key(1)).value()).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(dir->store->GetRecoveryKey(Guid::Parse(Key(7)).value()).status().code(),
            ErrorCode::kNotFound);
  auto pc2 = dir->store->FindComputersByName("PC-02");
  ASSERT_TRUE(pc2.ok());
  ASSERT_EQ(pc2->size(), 1u);
  auto users = dir->store->ListComputerUsers((*pc2)[0].id);
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 2u);
}

TEST_F(ImportAdTest, AfterLeavesOutOlderRecoveryObjects) {
  // Every object was created in AD today (whenCreated), so a date in the future leaves all out.
  const nlohmann::json run = Json(Import({"--dry-run", "--recurse", "--after", "2999-01-01"}));
  EXPECT_EQ(run["recovery_objects"], 0);
  EXPECT_EQ(run["computers"], 3);
}

TEST_F(ImportAdTest, ABindAccountWithoutControlAccessIsToldHowToGrantIt) {
  std::FILE* f = std::fopen(password_file_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "%s\n", dc().reader_password.c_str());
  std::fclose(f);
  std::vector<std::string> args = {
      "import",        "ad",          "--url",          "ldaps://127.0.0.1", "--ca-file",
      dc().ca_file,    "--bind-dn",   dc().reader_name, "--password-file",   password_file_,
      "--search-base", kWorkstations, "--recurse",      "--data-dir",        data_};
  const CommandResult run = Lockbox(tmp_, args);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("cannot read the recovery password"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("control access"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Nothing was imported"), std::string::npos) << run.err;
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok());
  auto computers = dir->store->FindComputersByName("PC-01");
  ASSERT_TRUE(computers.ok());
  EXPECT_TRUE(computers->empty());
}

TEST_F(ImportAdTest, AWrongCaStopsTheImportBeforeTheBind) {
  std::vector<std::string> args = {"import",          "ad",
                                   "--url",           "ldap://127.0.0.1",
                                   "--ca-file",       dc().wrong_ca_file,
                                   "--bind-dn",       dc().admin_name,
                                   "--password-file", password_file_,
                                   "--search-base",   kWorkstations,
                                   "--data-dir",      data_};
  const CommandResult run = Lockbox(tmp_, args);
  EXPECT_EQ(run.exit_code, 8) << run.err;  // I/O error
  EXPECT_NE(run.err.find("StartTLS"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(dc().admin_password), std::string::npos) << run.err;
}

TEST_F(ImportAdTest, AKeyChangedInAdIsReportedAndTheStoredOneKept) {
  ASSERT_EQ(Json(Import({"--data-dir", data_}))["keys"]["new"], 3);
  // Another password under the same recovery GUID: the store keeps its own.
  const auto change = [&](const std::string& password) {
    return "dn: CN=2019-02-28T10:31:05-08:00{" + Key(1) + "},CN=PC-01," + kWorkstations +
           "\nchangetype: modify\nreplace: msFVE-RecoveryPassword\nmsFVE-RecoveryPassword: " +
           password + "\n";
  };
  Modify(change(kPassword3));

  const nlohmann::json again = Json(Import({"--data-dir", data_}));
  EXPECT_EQ(again["keys"]["changed"], 1) << Reasons(again);
  EXPECT_EQ(again["keys"]["unchanged"], 2) << Reasons(again);
  EXPECT_NE(Reasons(again).find("the stored one was kept"), std::string::npos) << Reasons(again);
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok());
  auto password = dir->store->OpenRecoveryPassword(Guid::Parse(Key(1)).value());
  ASSERT_TRUE(password.ok());
  EXPECT_EQ(std::string(password->data(), password->data() + password->size()), kPassword1);

  Modify(change(kPassword1));  // as the other tests expect it
}

// --watch: a pass every --interval-seconds, each incremental; a key added to AD meanwhile
// arrives without anyone running the import again.
TEST_F(ImportAdTest, WatchKeepsPassingAndTheKeysAddedMeanwhileArrive) {
  const std::string watched = "OU=Watched," + kTest;
  const std::string pc = "CN=PC-W1," + watched;
  Modify("dn: " + watched + "\nobjectClass: organizationalUnit\n");
  const pid_t watcher =
      testing::Spawn(ImportArgs({"--recurse", "--data-dir", data_, "--state-file",
                                 tmp_ / "watch-state.json", "--watch", "--interval-seconds", "1"},
                                "ldaps://127.0.0.1", watched),
                     tmp_ / "watch.out", tmp_ / "watch.err");
  // Up to `text` in the watcher's output, for 30 s at most.
  const auto wait_for = [&](const std::string& text) {
    for (int i = 0; i < 150; ++i) {
      if (testing::ReadFile(tmp_ / "watch.out").find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  };
  EXPECT_TRUE(wait_for("\"highest_usn\"")) << testing::ReadFile(tmp_ / "watch.err");  // pass 1
  Modify("dn: " + pc + "\nobjectClass: computer\nsAMAccountName: PC-W1$\n\n" +
         RecoveryLdif("2025-01-01T00:00:00+00:00{" + Key(0) + "}", pc, 0, kPassword2));
  const bool arrived = wait_for("\"new\": 1");
  kill(watcher, SIGTERM);
  testing::Wait(watcher);
  const std::string out = testing::ReadFile(tmp_ / "watch.out");
  EXPECT_TRUE(arrived) << out << testing::ReadFile(tmp_ / "watch.err");
  EXPECT_NE(out.find("\"incremental\": true"), std::string::npos) << out;
}

// --to: the same import through a running server's data-migration API, as a service account
// with a data-migration token, instead of into the store.
TEST_F(ImportAdTest, ToAServerWritesThroughItsMigrationApi) {
  ASSERT_EQ(Lockbox(tmp_, {"user", "create", "--data-dir", data_, "--name", "ad-import", "--role",
                           "data-migration", "--service-account"})
                .exit_code,
            0);
  const CommandResult token =
      Lockbox(tmp_, {"api-token", "create", "--data-dir", data_, "--user", "ad-import", "--role",
                     "data-migration", "--days", "1", "--description", "AD import", "--json"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string token_file = tmp_ / "token";
  std::FILE* f = std::fopen(token_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "%s\n", nlohmann::json::parse(token.out)["token"].get<std::string>().c_str());
  std::fclose(f);
  const pid_t server = testing::Spawn({"serve", "--data-dir", data_, "--listen", "127.0.0.1:0"},
                                      tmp_ / "serve.out", tmp_ / "serve.err");
  const int port = testing::ListeningPort(tmp_ / "serve.out");
  ASSERT_NE(port, 0) << testing::ReadFile(tmp_ / "serve.err");
  const std::vector<std::string> to = {"--to",
                                       "https://127.0.0.1:" + std::to_string(port),
                                       "--token-file",
                                       token_file,
                                       "--server-ca-file",
                                       data_ + "/tls/cert.pem",
                                       "--recurse"};
  const nlohmann::json first = Json(Import(to));
  const nlohmann::json second = Json(Import(to));
  const CommandResult refused =
      Import({"--to", "https://127.0.0.1:" + std::to_string(port), "--token-file", password_file_,
              "--server-ca-file", data_ + "/tls/cert.pem"});
  kill(server, SIGTERM);
  EXPECT_EQ(testing::Wait(server), 0);
  EXPECT_EQ(first["keys"]["new"], 4) << Reasons(first);
  EXPECT_EQ(first["tpm"]["new"], 2) << Reasons(first);
  EXPECT_EQ(first["users"]["new"], 2) << Reasons(first);
  EXPECT_EQ(second["keys"]["unchanged"], 4) << Reasons(second);
  EXPECT_NE(refused.exit_code, 0);  // the bind password is no API token
  EXPECT_NE(refused.out.find("the server answered 401"), std::string::npos) << refused.out;
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  auto password = dir->store->OpenRecoveryPassword(Guid::Parse(Key(1)).value());
  ASSERT_TRUE(password.ok()) << password.status().message();
  EXPECT_EQ(std::string(password->data(), password->data() + password->size()), kPassword1);
}

// The user owning a computer (who joined it to the domain) is one of its users; one made by
// an admin is owned by Domain Admins, which is no user.
TEST_F(ImportAdTest, TheUserWhoOwnsAComputerIsLinkedToIt) {
  Modify("dn: CN=PC-J1," + kJoined + "\nobjectClass: computer\nsAMAccountName: PC-J1$\n",
         "carol@corp.example.test", kCarolPassword);
  Modify("dn: CN=PC-J2," + kJoined + "\nobjectClass: computer\nsAMAccountName: PC-J2$\n");
  const nlohmann::json run = Json(Import({"--data-dir", data_}, "ldaps://127.0.0.1", kJoined));
  EXPECT_EQ(run["computers"], 2);
  EXPECT_EQ(run["users"]["new"], 1) << Reasons(run);
  EXPECT_TRUE(run["skipped"].empty()) << Reasons(run);
  auto dir = cli::OpenDataDir(data_);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  auto pc = dir->store->FindComputersByName("PC-J1");
  ASSERT_TRUE(pc.ok());
  ASSERT_EQ(pc->size(), 1u);
  auto users = dir->store->ListComputerUsers((*pc)[0].id);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].user, "corp\\carol");
}

// Incremental sync: with --state-file a pass reads only what changed (uSNChanged) since the
// pass the file records; a file of another domain controller incarnation gives a full pass.
TEST_F(ImportAdTest, ASyncPassReadsOnlyWhatChangedSinceTheLastOne) {
  const std::string sync = "OU=Sync," + kTest;  // apart from what the other tests count
  const std::string pc1 = "CN=PC-S1," + sync;
  const std::string pc2 = "CN=PC-S2," + sync;
  const std::string state = tmp_ / "sync-state.json";
  Modify("dn: " + sync + "\nobjectClass: organizationalUnit\n\n" + "dn: " + pc1 +
         "\nobjectClass: computer\nsAMAccountName: PC-S1$\n\n" +
         RecoveryLdif("2023-01-01T00:00:00+00:00{" + Key(8) + "}", pc1, 8, kPassword2));
  const auto pass = [&] {
    return Json(Import({"--data-dir", data_, "--state-file", state}, "ldaps://127.0.0.1", sync));
  };
  const nlohmann::json first = pass();
  EXPECT_FALSE(first["incremental"]);
  EXPECT_EQ(first["computers"], 1);
  EXPECT_EQ(first["keys"]["new"], 1) << Reasons(first);
  const nlohmann::json quiet = pass();
  EXPECT_TRUE(quiet["incremental"]);
  EXPECT_EQ(quiet["computers"], 0);
  EXPECT_EQ(quiet["recovery_objects"], 0);

  // A new computer with a key, and a user for the first one.
  Modify("dn: " + pc2 + "\nobjectClass: computer\nsAMAccountName: PC-S2$\n\n" +
         RecoveryLdif("2024-01-01T00:00:00+00:00{" + Key(9) + "}", pc2, 9, kPassword3) +
         "dn: " + pc1 + "\nchangetype: modify\nreplace: managedBy\nmanagedBy: CN=Alice Example," +
         kTest + "\n");
  const nlohmann::json changes = pass();
  EXPECT_TRUE(changes["incremental"]);
  EXPECT_EQ(changes["computers"], 2);         // PC-S2 new, PC-S1 changed
  EXPECT_EQ(changes["recovery_objects"], 1);  // only PC-S2's
  EXPECT_EQ(changes["keys"]["new"], 1) << Reasons(changes);
  EXPECT_EQ(changes["users"]["new"], 1) << Reasons(changes);
  EXPECT_GT(changes["highest_usn"].get<int64_t>(), first["highest_usn"].get<int64_t>());

  // A DC restored from a backup has a new invocation ID: its USNs start over, so all again.
  nlohmann::json recorded = nlohmann::json::parse(testing::ReadFile(state));
  recorded["invocation_id"] = "00000000000000000000000000000000";
  std::FILE* f = std::fopen(state.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(recorded.dump().c_str(), f);
  std::fclose(f);
  const nlohmann::json full = pass();
  EXPECT_FALSE(full["incremental"]);
  EXPECT_EQ(full["recovery_objects"], 2);
  EXPECT_EQ(full["keys"]["unchanged"], 2) << Reasons(full);
}

}  // namespace
}  // namespace lockbox
