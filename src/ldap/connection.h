// Connection: a client connection to an LDAP directory (Active Directory, Samba) through
// OpenLDAP's libldap. It always uses TLS, verifying the server's certificate and name, unless
// plain LDAP was asked for by name; it binds with a password or with Kerberos (GSSAPI).
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto directory,
//       ldap::Connection::Open({.url = "ldaps://dc1.corp.example", .ca_file = "ca.pem"}));
//   LOCKBOX_RETURN_IF_ERROR(directory->SimpleBind("lockbox-import@corp.example", password));
//   LOCKBOX_RETURN_IF_ERROR(directory->Search(
//       {.base = "OU=Workstations,DC=corp,DC=example", .filter = "(objectClass=computer)",
//        .attributes = {"cn"}},
//       [&](ldap::Entry entry) { ...; return Status::Ok(); }));
//
// Searches are paged (RFC 2696) so that Active Directory, which ends an unpaged search after
// 1000 entries (MaxPageSize), returns everything; entries reach the handler one at a time,
// so memory stays bounded by one page. Errors say what the directory said and what to do;
// they never contain a password.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "ldap/entry.h"
#include "util/status.h"

typedef struct ldap LDAP;  // libldap's handle, kept out of this header

namespace lockbox::ldap {

struct ConnectOptions {
  // "ldaps://dc1.corp.example[:636]" (TLS from the start) or "ldap://dc1.corp.example[:389]"
  // (StartTLS before anything else is sent). Name the host as its certificate does.
  std::string url;
  // PEM file of the CA(s) that issued the directory's certificate; empty: the system's.
  std::string ca_file;
  // For ldap:// URLs only: no TLS at all. Passwords and keys cross the network readable.
  bool plain = false;
  int timeout_ms = 30'000;  // connecting, and each request
};

enum class Scope { kBase, kOneLevel, kSubtree };

struct SearchRequest {
  std::string base;
  Scope scope = Scope::kSubtree;
  std::string filter = "(objectClass=*)";
  std::vector<std::string> attributes;  // what to return ("1.1" alone: no attributes)
  // Of `attributes`, those whose values are secrets: they arrive in Entry::secrets.
  std::vector<std::string> secret_attributes;
  int page_size = 1000;  // entries per page, 1 to 100000
  // Nonzero: Active Directory's LDAP_SERVER_SD_FLAGS_OID control, asking for only these parts
  // of nTSecurityDescriptor (1 owner, 2 group, 4 DACL, 8 SACL). Without it AD asks for the
  // SACL too, which only privileged accounts may read, and returns no descriptor at all.
  int security_descriptor_flags = 0;
};

using EntryHandler = std::function<Status(Entry entry)>;

class Connection {
 public:
  // Connects and, unless `plain`, completes TLS (LDAPS or StartTLS) with the certificate
  // verified: kInvalidArgument for a bad URL or option, kIoError when the directory cannot
  // be reached or its certificate is not trusted (the message says which).
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Simple bind as `name`: a DN, or in Active Directory also "user@domain" or
  // "DOMAIN\\user". kUnauthenticated for a refused name or password (with Active
  // Directory's reason: wrong password, locked, expired, ...).
  Status SimpleBind(std::string_view name, const crypto::SecretBytes& password);

  // SASL GSSAPI (Kerberos) bind with the caller's Kerberos credentials (kinit first; the
  // cache KRB5CCNAME names). The service ticket is for ldap/<host as in the URL>, not a name
  // found by reverse DNS. Over TLS, SASL's own encryption is left off (AD refuses it inside
  // TLS); on a plain connection it signs and seals. kUnauthenticated when there is no ticket
  // or the directory refuses it.
  Status GssapiBind();

  // Runs the search page by page, calling `handler` for each entry; a handler's error stops
  // the search and is returned. kNotFound when the base does not exist.
  Status Search(const SearchRequest& request, const EntryHandler& handler);

  // The URL connected to, for messages.
  const std::string& url() const { return url_; }

 private:
  Connection(LDAP* handle, std::string url, bool tls)
      : handle_(handle), url_(std::move(url)), tls_(tls) {}
  // The Status for libldap's result `code` of `what` ("binding as X"), with the server's
  // diagnostic message.
  Status Failure(int code, std::string_view what) const;

  LDAP* handle_;
  std::string url_;
  bool tls_;
};

}  // namespace lockbox::ldap
