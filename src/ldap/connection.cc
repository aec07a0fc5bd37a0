#include "ldap/connection.h"

#include <ldap.h>
#include <malloc.h>
#include <netdb.h>
#include <sasl/sasl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "crypto/secret.h"
#include "util/ascii.h"

namespace lockbox::ldap {
namespace {

struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;

struct ControlsFree {
  void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsFree>;

// A cookie libldap allocated (ldap_parse_pageresponse_control), freed on every path.
class Cookie {
 public:
  Cookie() = default;
  ~Cookie() { Clear(); }
  Cookie(const Cookie&) = delete;
  Cookie& operator=(const Cookie&) = delete;
  berval* get() { return &value_; }
  bool empty() const { return value_.bv_len == 0; }
  void Clear() {
    ber_memfree(value_.bv_val);
    value_ = {0, nullptr};
  }

 private:
  berval value_{0, nullptr};
};

timeval Timeval(int timeout_ms) {
  return {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// What Active Directory's "data NNN" in a refused bind means (its diagnostic message reads
// "80090308: LdapErr: DSID-..., comment: AcceptSecurityContext error, data 52e, v4563").
std::string BindRefusalReason(std::string_view diagnostic) {
  static constexpr struct {
    std::string_view code;
    std::string_view reason;
  } kReasons[] = {
      {"525", "there is no such user: check the bind name"},
      {"52e", "the name or the password is wrong"},
      {"530", "the account may not sign in at this time of day"},
      {"531", "the account may not sign in from this computer"},
      {"532", "the account's password has expired: set a new one"},
      {"533", "the account is disabled"},
      {"701", "the account has expired"},
      {"773", "the account's password must be changed before it can bind"},
      {"775", "the account is locked out: wait, or have an administrator unlock it"},
  };
  const size_t at = diagnostic.find("data ");
  if (at == std::string_view::npos) return "the name or the password is wrong";
  const std::string code = LowerAscii(diagnostic.substr(at + 5, 3));
  for (const auto& known : kReasons) {
    if (known.code == code) return std::string(known.reason);
  }
  return "the name or the password is wrong";
}

Status SetOption(LDAP* handle, int option, const void* value, std::string_view what) {
  if (ldap_set_option(handle, option, value) == LDAP_OPT_SUCCESS) return Status::Ok();
  return Status::Internal("libldap refused the option " + std::string(what));
}

Status ConfigureTls(LDAP* handle, const std::string& ca_file) {
  const int hard = LDAP_OPT_X_TLS_HARD;  // a certificate that does not verify ends the connection
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard, "TLS_REQCERT"));
  const int tls12 = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  LOCKBOX_RETURN_IF_ERROR(
      SetOption(handle, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls12, "TLS_PROTOCOL_MIN"));
  if (!ca_file.empty()) {
    if (access(ca_file.c_str(), R_OK) != 0) {
      const int err = errno;
      const std::string why = "cannot read the CA file " + ca_file + ": " + std::strerror(err);
      return err == ENOENT ? Status::NotFound(why) : Status::IoError(why);
    }
    LOCKBOX_RETURN_IF_ERROR(
        SetOption(handle, LDAP_OPT_X_TLS_CACERTFILE, ca_file.c_str(), "TLS_CACERT"));
  }
  // The options above take effect in a new TLS context of this handle only; the process-wide
  // defaults (ldap.conf, LDAPTLS_* variables) cannot weaken them.
  const int is_server = 0;
  return SetOption(handle, LDAP_OPT_X_TLS_NEWCTX, &is_server, "TLS_NEWCTX");
}

// Whether a TCP connection to the host and port of `url` succeeds within `timeout_ms`.
bool TcpReachable(const std::string& url, int timeout_ms) {
  LDAPURLDesc* parsed = nullptr;
  if (ldap_url_parse(url.c_str(), &parsed) != LDAP_URL_SUCCESS || parsed == nullptr) return false;
  const std::string host = parsed->lud_host != nullptr ? parsed->lud_host : "";
  const int port = parsed->lud_port;
  ldap_free_urldesc(parsed);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (host.empty() ||
      getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses) != 0) {
    return false;
  }
  bool reachable = false;
  for (addrinfo* a = addresses; a != nullptr && !reachable; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const timeval timeout = Timeval(timeout_ms);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    reachable = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(addresses);
  return reachable;
}

int ScopeOf(Scope scope) {
  switch (scope) {
    case Scope::kBase:
      return LDAP_SCOPE_BASE;
    case Scope::kOneLevel:
      return LDAP_SCOPE_ONELEVEL;
    case Scope::kSubtree:
      return LDAP_SCOPE_SUBTREE;
  }
  return LDAP_SCOPE_SUBTREE;
}

// The entry `message` holds, its secret attributes' values copied to wiped memory and
// overwritten in libldap's copy.
Entry ReadEntry(LDAP* handle, LDAPMessage* message, const std::vector<std::string>& secrets) {
  Entry entry;
  if (char* dn = ldap_get_dn(handle, message)) {
    entry.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* ber = nullptr;
  for (char* attribute = ldap_first_attribute(handle, message, &ber); attribute != nullptr;
       attribute = ldap_next_attribute(handle, message, ber)) {
    const std::string name = LowerAscii(attribute);
    ldap_memfree(attribute);
    berval** values = ldap_get_values_len(handle, message, name.c_str());
    if (values == nullptr) continue;
    const bool secret = std::find(secrets.begin(), secrets.end(), name) != secrets.end();
    for (berval** v = values; *v != nullptr; ++v) {
      const std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>((*v)->bv_val), (*v)->bv_len);
      if (secret) {
        entry.secrets[name].emplace_back(bytes);
        crypto::Wipe(bytes);
      } else {
        entry.values[name].emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      }
    }
    ldap_value_free_len(values);
  }
  if (ber != nullptr) ber_free(ber, 0);
  return entry;
}

}  // namespace

namespace {

// liblber's memory, wiped before it is freed: its buffers hold the bind password of every
// request and the confidential values (recovery passwords) of every answer. Blocks come from
// malloc either way, so blocks allocated before these were installed are freed alike.
void WipeBlock(void* p) {
  if (p != nullptr) crypto::Wipe({static_cast<uint8_t*>(p), malloc_usable_size(p)});
}
void* BerMalloc(ber_len_t size, void*) { return std::malloc(size); }
void* BerCalloc(ber_len_t n, ber_len_t size, void*) { return std::calloc(n, size); }
void* BerRealloc(void* p, ber_len_t size, void*) {
  if (p == nullptr) return std::malloc(size);
  void* moved = std::malloc(size);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, p, std::min<size_t>(size, malloc_usable_size(p)));
  WipeBlock(p);
  std::free(p);
  return moved;
}
void BerFree(void* p, void*) {
  WipeBlock(p);
  std::free(p);
}

void WipeLberMemory() {
  static std::once_flag once;
  std::call_once(once, [] {
    BerMemoryFunctions functions{BerMalloc, BerCalloc, BerRealloc, BerFree};
    (void)ber_set_option(nullptr, LBER_OPT_MEMORY_FNS, &functions);
  });
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  WipeLberMemory();
  const bool ldaps = StartsWith(LowerAscii(options.url), "ldaps://");
  if (!ldaps && !StartsWith(LowerAscii(options.url), "ldap://")) {
    return Status::InvalidArgument("the directory URL \"" + options.url +
                                   "\" is not ldaps://HOST[:PORT] or ldap://HOST[:PORT]");
  }
  if (options.url.find_first_of(" \t,") != std::string::npos) {
    return Status::InvalidArgument("give one directory URL, not a list: \"" + options.url + "\"");
  }
  if (ldaps && options.plain) {
    return Status::InvalidArgument(
        "plain LDAP was asked for with an ldaps:// URL: use ldap://HOST for plain LDAP");
  }
  if (options.timeout_ms <= 0) {
    return Status::InvalidArgument("the directory timeout must be positive");
  }
  LDAP* raw = nullptr;
  if (ldap_initialize(&raw, options.url.c_str()) != LDAP_SUCCESS || raw == nullptr) {
    return Status::InvalidArgument("libldap cannot use the directory URL \"" + options.url + "\"");
  }
  std::unique_ptr<Connection> connection(new Connection(raw, options.url, !options.plain));
  LDAP* handle = connection->handle_;
  const int version = LDAP_VERSION3;
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle, LDAP_OPT_PROTOCOL_VERSION, &version, "version"));
  // Referrals would be followed with an anonymous bind to whatever server they name.
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals"));
  const timeval timeout = Timeval(options.timeout_ms);
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle, LDAP_OPT_NETWORK_TIMEOUT, &timeout, "timeout"));
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle, LDAP_OPT_TIMEOUT, &timeout, "timeout"));
  if (!options.plain) LOCKBOX_RETURN_IF_ERROR(ConfigureTls(handle, options.ca_file));

  // libldap says only "Can't contact LDAP server" when the TLS handshake fails: whether a
  // plain TCP connection succeeds tells a distrusted certificate from an unreachable host.
  const std::string trust = options.ca_file.empty() ? "the system's CAs" : options.ca_file;
  const std::string tls_advice =
      ": the TLS handshake failed: the directory's certificate is not issued by a CA in " + trust +
      ", has expired, or does not name the host as the URL does (" + options.url +
      "); check --ca-file and the host name";
  const int connected = ldap_connect(handle);
  if (connected != LDAP_SUCCESS) {
    const std::string what = "connecting to " + options.url;
    if (ldaps && TcpReachable(options.url, options.timeout_ms)) {
      return Status::IoError(what + " failed" + tls_advice);
    }
    return connection->Failure(connected, what);
  }
  if (!ldaps && !options.plain) {
    const int started = ldap_start_tls_s(handle, nullptr, nullptr);
    if (started == LDAP_CONNECT_ERROR) {
      return Status::IoError("starting TLS (StartTLS) with " + options.url + " failed" +
                             tls_advice);
    }
    if (started != LDAP_SUCCESS) {
      return connection->Failure(started, "starting TLS (StartTLS) with " + options.url);
    }
  }
  return connection;
}

Connection::~Connection() { ldap_unbind_ext_s(handle_, nullptr, nullptr); }

Status Connection::Failure(int code, std::string_view what) const {
  std::string diagnostic;
  char* text = nullptr;
  if (ldap_get_option(handle_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text) == LDAP_OPT_SUCCESS &&
      text != nullptr) {
    diagnostic = text;
    ldap_memfree(text);
  }
  std::string message = std::string(what) + " failed: " + ldap_err2string(code);
  if (!diagnostic.empty() && diagnostic != "(unknown error code)") {
    message += " (" + diagnostic + ")";
  }
  switch (code) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
      return Status::IoError(message + ": check the host and port, and that the directory runs");
    case LDAP_TIMEOUT:
    case LDAP_TIMELIMIT_EXCEEDED:
      return Status::IoError(message + ": the directory did not answer in time");
    case LDAP_INVALID_CREDENTIALS:
      return Status::Unauthenticated(message + ": " + BindRefusalReason(diagnostic));
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
      return Status::Unauthenticated(
          message +
          ": the directory accepts binds only over TLS or with signing: use an "
          "ldaps:// URL or StartTLS (leave out --plain-ldap)");
    case LDAP_INAPPROPRIATE_AUTH:
      return Status::Unauthenticated(message + ": this account cannot bind this way");
    case LDAP_NO_SUCH_OBJECT:
      return Status::NotFound(message + ": check the DN (and its spelling of the domain)");
    case LDAP_INSUFFICIENT_ACCESS:
      return Status::PermissionDenied(message + ": the bind account lacks the rights for this");
    case LDAP_FILTER_ERROR:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_PARAM_ERROR:
      return Status::InvalidArgument(message);
    case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
      return Status::Unsupported(message + ": the directory does not support paged results");
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
      return Status::IoError(message + ": ask for smaller pages (--page-size)");
    default:
      return Status::IoError(message);
  }
}

Status Connection::SimpleBind(std::string_view name, const crypto::SecretBytes& password) {
  // An empty name or password makes a simple bind anonymous (RFC 4513, 5.1.2): it would
  // "succeed" and then read nothing.
  if (name.empty()) return Status::InvalidArgument("the bind name is empty");
  if (password.empty()) {
    return Status::InvalidArgument("the bind password for " + std::string(name) +
                                   " is empty: an empty password would bind anonymously");
  }
  const std::string who(name);
  berval credentials{password.size(),
                     const_cast<char*>(reinterpret_cast<const char*>(password.data()))};
  const int bound = ldap_sasl_bind_s(handle_, who.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr,
                                     nullptr, nullptr);
  if (bound != LDAP_SUCCESS) return Failure(bound, "binding to " + url_ + " as " + who);
  return Status::Ok();
}

namespace {

// GSSAPI asks nothing a person must answer (the identity is the ticket's): every prompt gets
// its default.
int AnswerSaslPrompts(LDAP*, unsigned, void*, void* prompts) {
  for (auto* p = static_cast<sasl_interact_t*>(prompts); p->id != SASL_CB_LIST_END; ++p) {
    p->result = p->defresult != nullptr ? p->defresult : "";
    p->len = static_cast<unsigned>(std::strlen(static_cast<const char*>(p->result)));
  }
  return LDAP_SUCCESS;
}

}  // namespace

Status Connection::GssapiBind() {
  // The service principal is ldap/<the URL's host>: reverse DNS could name another host.
  LOCKBOX_RETURN_IF_ERROR(SetOption(handle_, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON, "nocanon"));
  if (tls_) {
    LOCKBOX_RETURN_IF_ERROR(
        SetOption(handle_, LDAP_OPT_X_SASL_SECPROPS, "maxssf=0", "SASL security properties"));
  }
  const int bound = ldap_sasl_interactive_bind_s(handle_, nullptr, "GSSAPI", nullptr, nullptr,
                                                 LDAP_SASL_QUIET, AnswerSaslPrompts, nullptr);
  if (bound == LDAP_SUCCESS) return Status::Ok();
  Status failed = Failure(bound, "binding to " + url_ + " with Kerberos (GSSAPI)");
  if (bound == LDAP_LOCAL_ERROR || bound == LDAP_AUTH_UNKNOWN || bound == LDAP_NOT_SUPPORTED) {
    return Status::Unauthenticated(
        failed.message() +
        ": get a Kerberos ticket first (kinit user@REALM; KRB5CCNAME names its cache), and "
        "check that the directory has the service principal ldap/<host in the URL>");
  }
  return failed;
}

namespace {

constexpr const char* kSdFlagsOid = "1.2.840.113556.1.4.801";  // LDAP_SERVER_SD_FLAGS_OID

}  // namespace

Status Connection::Search(const SearchRequest& request, const EntryHandler& handler) {
  if (request.page_size < 1 || request.page_size > 100'000) {
    return Status::InvalidArgument("the page size is " + std::to_string(request.page_size) +
                                   "; 1 to 100000 are accepted");
  }
  std::vector<std::string> secrets;
  for (const std::string& name : request.secret_attributes) secrets.push_back(LowerAscii(name));
  std::vector<char*> attributes;
  for (const std::string& name : request.attributes) {
    attributes.push_back(const_cast<char*>(name.c_str()));
  }
  attributes.push_back(nullptr);
  const std::string what = "searching " + request.base + " for " + request.filter;

  Cookie cookie;
  for (;;) {
    LDAPControl* page = nullptr;
    int rc = ldap_create_page_control(handle_, request.page_size,
                                      cookie.empty() ? nullptr : cookie.get(), 1, &page);
    if (rc != LDAP_SUCCESS) return Failure(rc, what);
    LDAPControl* sd_flags = nullptr;
    if (request.security_descriptor_flags != 0) {
      // Its value is the BER of SEQUENCE { INTEGER flags } (flags below 16: one byte).
      char value[] = {0x30, 0x03, 0x02, 0x01,
                      static_cast<char>(request.security_descriptor_flags & 0x0F)};
      berval ber{sizeof value, value};
      rc = ldap_control_create(kSdFlagsOid, 1, &ber, 1, &sd_flags);
      if (rc != LDAP_SUCCESS) {
        ldap_control_free(page);
        return Failure(rc, what);
      }
    }
    LDAPControl* server_controls[] = {page, sd_flags, nullptr};
    LDAPMessage* raw = nullptr;
    rc = ldap_search_ext_s(handle_, request.base.c_str(), ScopeOf(request.scope),
                           request.filter.c_str(), attributes.data(), 0, server_controls, nullptr,
                           nullptr, LDAP_NO_LIMIT, &raw);
    ldap_control_free(page);
    if (sd_flags != nullptr) ldap_control_free(sd_flags);
    const MessagePtr result(raw);
    if (rc != LDAP_SUCCESS) return Failure(rc, what);

    for (LDAPMessage* m = ldap_first_entry(handle_, result.get()); m != nullptr;
         m = ldap_next_entry(handle_, m)) {
      LOCKBOX_RETURN_IF_ERROR(handler(ReadEntry(handle_, m, secrets)));
    }

    LDAPControl** raw_controls = nullptr;
    int code = LDAP_SUCCESS;
    rc = ldap_parse_result(handle_, result.get(), &code, nullptr, nullptr, nullptr, &raw_controls,
                           0);
    const ControlsPtr controls(raw_controls);
    if (rc != LDAP_SUCCESS) return Failure(rc, what);
    if (code != LDAP_SUCCESS) return Failure(code, what);
    LDAPControl* response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls.get(), nullptr);
    if (response == nullptr) return Status::Ok();  // everything came in one page
    cookie.Clear();
    ber_int_t estimate = 0;
    rc = ldap_parse_pageresponse_control(handle_, response, &estimate, cookie.get());
    if (rc != LDAP_SUCCESS) return Failure(rc, what);
    if (cookie.empty()) return Status::Ok();
  }
}

}  // namespace lockbox::ldap
