// A throwaway PostgreSQL server for tests that need a real one.
//
// The first call to NewPostgresDatabase() in a test process runs initdb into a temporary
// folder (as the `postgres` user when run as root: initdb refuses root), starts the server on
// a free port on 127.0.0.1 with its unix socket in that folder, and registers its shutdown
// and removal at exit. Each call creates a new empty database and returns its URL.
//
// Whether PostgreSQL tests run: when LOCKBOX_TEST_PG=1 or the server binaries exist in
// /usr/lib/postgresql/15/bin. Otherwise tests skip, except under CI (CI=true), where a
// missing PostgreSQL is a failure: use LOCKBOX_SKIP_WITHOUT_POSTGRES() in the test.
#pragma once

#include <string>

namespace lockbox::testing {

struct PostgresDatabase {
  std::string url;           // "postgresql:///<name>?host=<socket dir>&port=<port>&user=postgres"
  std::string data_dir;      // the server's data folder (for tests that inspect files at rest)
  std::string error;         // why there is no database; url is empty then
  bool unavailable = false;  // PostgreSQL is not installed and not asked for
};

PostgresDatabase NewPostgresDatabase();

// True when a missing PostgreSQL must fail the test instead of skipping it.
bool PostgresRequired();

}  // namespace lockbox::testing

// In a test or fixture SetUp: declares `pg_database` or skips (fails under CI).
#define LOCKBOX_POSTGRES_DATABASE_OR_SKIP(pg_database)                      \
  const ::lockbox::testing::PostgresDatabase pg_database =                  \
      ::lockbox::testing::NewPostgresDatabase();                            \
  if (pg_database.unavailable && !::lockbox::testing::PostgresRequired()) { \
    GTEST_SKIP() << pg_database.error;                                      \
  }                                                                         \
  ASSERT_TRUE(pg_database.error.empty()) << pg_database.error
