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

}  // namespace

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
