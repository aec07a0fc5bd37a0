// A self-signed TLS certificate for a new server (`lockbox init`), so it speaks HTTPS from the
// first start. Replace it with one from your CA for production (tls.cert_file / tls.key_file).
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace lockbox::http {

struct SelfSignedCertificateRequest {
  std::string common_name;                // the host name
  std::vector<std::string> dns_names;     // SAN DNS entries: "localhost", the host name
  std::vector<std::string> ip_addresses;  // SAN IP entries: "127.0.0.1", "::1"
  int valid_days = 825;                   // the longest lifetime clients accept for a leaf
};

// Writes a new EC P-256 key (PEM, mode 0600) to `key_path` and a self-signed certificate for
// it (PEM, mode 0644; serverAuth, the SANs asked for) to `cert_path`. Never replaces an
// existing file (kAlreadyExists).
Status CreateSelfSignedCertificate(const SelfSignedCertificateRequest& request,
                                   const std::string& cert_path, const std::string& key_path);

}  // namespace lockbox::http
