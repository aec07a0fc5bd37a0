// A throwaway Samba Active Directory domain controller for tests that need a real one
// (tests/support/samba_dc.sh does the work).
//
// The first call to StartSambaDc(ldif) in a test process provisions the domain
// CORP.EXAMPLE.TEST into a temporary folder (about 6 s), adds `ldif` to its database, and
// starts `samba -i -M single` on 127.0.0.1 (LDAP 389, LDAPS 636); it is stopped and its folder
// removed at exit. Later calls return the same DC (their ldif is ignored), so provision once
// per test binary.
//
// Samba tests run when samba is installed; otherwise they skip, except under CI (CI=true),
// where a missing samba is a failure: use LOCKBOX_SAMBA_DC_OR_SKIP() in the test.
#pragma once

#include <string>

namespace lockbox::testing {

struct SambaDc {
  std::string dir;            // the DC's folder
  std::string ca_file;        // the CA that issued its certificate
  std::string wrong_ca_file;  // another CA
  std::string base_dn = "DC=corp,DC=example,DC=test";
  std::string admin_name = "Administrator@corp.example.test";
  std::string admin_password = "Passw0rd!Adm1n";
  std::string reader_name = "reader@corp.example.test";  // read rights, no control access
  std::string reader_password = "Passw0rd!Read1";
  std::string krb5_config;    // a krb5.conf for its realm CORP.EXAMPLE.TEST
  std::string error;         // why there is no DC
  bool unavailable = false;  // samba is not installed
};

const SambaDc& StartSambaDc(const std::string& ldif);

// True when a missing samba must fail the test instead of skipping it.
bool SambaRequired();

}  // namespace lockbox::testing

// In a test or fixture SetUp: declares `dc` (a const SambaDc&) or skips (fails under CI).
#define LOCKBOX_SAMBA_DC_OR_SKIP(dc, ldif)                                              \
  const ::lockbox::testing::SambaDc& dc = ::lockbox::testing::StartSambaDc(ldif);       \
  if (dc.unavailable && !::lockbox::testing::SambaRequired()) GTEST_SKIP() << dc.error; \
  ASSERT_TRUE(dc.error.empty()) << dc.error
