#include "http/request.h"

#include <array>

namespace lockbox::http {
namespace {

constexpr std::array<const char*, 8> kMethodNames = {"GET",   "HEAD",   "POST",    "PUT",
                                                     "PATCH", "DELETE", "OPTIONS", "OTHER"};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Find(const Fields& fields, std::string_view name, bool ignore_case) {
  for (const auto& [key, value] : fields) {
    bool same = key.size() == name.size();
    for (size_t i = 0; same && i < key.size(); ++i) {
      same = ignore_case ? Lower(key[i]) == Lower(name[i]) : key[i] == name[i];
    }
    if (same) return value;
  }
  return {};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Result<std::optional<std::string>> QueryParam(const Request& request, std::string_view name) {
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const size_t end = rest.find('&');
    const std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : value) {
      if (c == '+') c = ' ';
    }
    std::optional<std::string> decoded = PercentDecode(value);
    if (!decoded) {
      return Status::InvalidArgument("the query parameter " + std::string(name) +
                                     " has a malformed percent-escape (% must be followed by "
                                     "two hex digits)");
    }
    return std::optional<std::string>(std::move(*decoded));
  }
  return std::optional<std::string>();
}

const char* MethodName(Method method) { return kMethodNames[static_cast<size_t>(method)]; }

Method MethodFromName(std::string_view name) {
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
    if (name == kMethodNames[i]) return static_cast<Method>(i);
  }
  return Method::kOther;
}

std::string_view Request::Header(std::string_view name) const { return Find(headers, name, true); }

std::string_view Request::Param(std::string_view name) const { return Find(params, name, false); }

}  // namespace lockbox::http
