#include "postgres.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace lockbox::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

bool EnvIs(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == value;
}

// A port nobody listens on right now (the kernel's choice for an ephemeral bind).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Server {
 public:
  // Starts the server; on failure error() says why.
  Server() { error_ = Start(); }
  ~Server() {
    if (started_) {
      (void)Run(std::string(kBinDir) + "/pg_ctl -D " + (dir_ / "data").string() +
                " -m immediate -w stop > /dev/null 2>&1");
    }
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  const std::string& error() const { return error_; }
  std::string data_dir() const { return (dir_ / "data").string(); }

  std::string Url(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + (dir_ / "sock").string() +
           "&port=" + std::to_string(port_) + "&user=postgres";
  }

 private:
  // Runs a shell command as the postgres user when we are root (initdb and postgres refuse
  // root), as ourselves otherwise. Paths in commands are our own temp folder: no quoting needed.
  static int Run(const std::string& command) {
    const std::string as_user = geteuid() == 0 ? "runuser -u postgres -- " : "";
    return std::system((as_user + command).c_str());
  }

  std::string Start() {
    char templ[] = "/tmp/lockbox-pg-XXXXXX";
    if (mkdtemp(templ) == nullptr) return "cannot create a temporary folder for PostgreSQL";
    dir_ = templ;
    fs::create_directory(dir_ / "sock");
    if (geteuid() == 0) {
      const passwd* pg = getpwnam("postgres");
      if (pg == nullptr) return "there is no postgres user to run the PostgreSQL server as";
      for (const fs::path& p : {dir_, dir_ / "sock"}) {
        if (chown(p.c_str(), pg->pw_uid, pg->pw_gid) != 0) return "cannot chown " + p.string();
      }
    }
    const std::string data = (dir_ / "data").string();
    // Two logs: the shell (root) writes the first, the server (postgres) the second.
    const std::string initdb_log = (dir_ / "initdb.log").string();
    const std::string log = (dir_ / "server.log").string();
    if (Run(std::string(kBinDir) + "/initdb -D " + data +
            " -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync > " + initdb_log + " 2>&1") !=
        0) {
      return "initdb failed: " + ReadFile(initdb_log);
    }
    // fsync off: these tests check logic, not PostgreSQL's own durability.
    for (int attempt = 0; attempt < 3 && !started_; ++attempt) {
      port_ = FreePort();
      started_ =
          Run(std::string(kBinDir) + "/pg_ctl -D " + data + " -l " + log + " -w -t 120 -o \"-p " +
              std::to_string(port_) + " -k " + (dir_ / "sock").string() +
              " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\""
              " start > /dev/null 2>&1") == 0;
    }
    if (!started_) return "the PostgreSQL server did not start: " + ReadFile(log);
    return "";
  }

  fs::path dir_;
  int port_ = 0;
  bool started_ = false;
  std::string error_;
};

Server& TheServer() {
  // Destroyed at exit, which stops the server and removes its folder.
  static Server server;
  return server;
}

}  // namespace

bool PostgresRequired() { return EnvIs("CI", "true") || EnvIs("LOCKBOX_TEST_PG", "1"); }

PostgresDatabase NewPostgresDatabase() {
  PostgresDatabase out;
  if (!EnvIs("LOCKBOX_TEST_PG", "1") && !fs::exists(fs::path(kBinDir) / "postgres")) {
    out.unavailable = true;
    out.error = std::string("PostgreSQL is not installed (no ") + kBinDir +
                "/postgres): apt-get install postgresql-15, or set LOCKBOX_TEST_PG=1 to "
                "insist";
    return out;
  }
  static std::mutex mu;
  const std::lock_guard<std::mutex> lock(mu);
  Server& server = TheServer();
  if (!server.error().empty()) {
    out.error = server.error();
    return out;
  }
  static std::atomic<int> counter{0};
  const std::string name =
      "lockbox_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  PGconn* admin = PQconnectdb(server.Url("postgres").c_str());
  // The name is ours (digits and underscores): CREATE DATABASE takes no parameters.
  PGresult* result = PQexec(admin, ("CREATE DATABASE " + name).c_str());
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    out.error = std::string("CREATE DATABASE failed: ") + PQerrorMessage(admin);
  } else {
    out.url = server.Url(name);
    out.data_dir = server.data_dir();
  }
  PQclear(result);
  PQfinish(admin);
  return out;
}

}  // namespace lockbox::testing
