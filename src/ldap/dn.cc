#include "ldap/dn.h"

#include "util/ascii.h"

namespace lockbox::ldap {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  // A trailing space escaped with a backslash belongs to the value.
  while (text.size() >= 2 && text.back() == ' ' && text[text.size() - 2] != '\\') {
    text.remove_suffix(1);
  }
  return text;
}

// The offset of the first comma that ends an RDN, or npos.
size_t RdnEnd(std::string_view dn) {
  bool quoted = false;
  for (size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == '\\') {
      ++i;  // the escaped character (or the first of two hex digits) is never a separator
    } else if (c == '"') {
      quoted = !quoted;
    } else if ((c == ',' || c == ';') && !quoted) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<std::string_view> SplitDn(std::string_view dn) {
  std::vector<std::string_view> rdns;
  while (!TrimSpaces(dn).empty()) {
    const size_t end = RdnEnd(dn);
    rdns.push_back(TrimSpaces(dn.substr(0, end)));
    if (end == std::string_view::npos) break;
    dn.remove_prefix(end + 1);
  }
  return rdns;
}

std::string_view ParentDn(std::string_view dn) {
  const size_t end = RdnEnd(dn);
  return end == std::string_view::npos ? std::string_view() : TrimSpaces(dn.substr(end + 1));
}

std::string DnsDomainOf(std::string_view dn) {
  std::string domain;
  for (const std::string_view rdn : SplitDn(dn)) {
    if (rdn.size() < 3 || LowerAscii(rdn.substr(0, 3)) != "dc=") continue;
    if (!domain.empty()) domain += '.';
    domain += rdn.substr(3);
  }
  return domain;
}

std::string DnKey(std::string_view dn) {
  std::string key;
  for (const std::string_view rdn : SplitDn(dn)) {
    if (!key.empty()) key += ',';
    key += LowerAscii(rdn);
  }
  return key;
}

std::string EscapeFilterValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '*' || c == '(' || c == ')' || c == '\\' || byte == 0 || byte >= 0x80) {
      out += '\\';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace lockbox::ldap
