// Reading and verifying the audit log (auditors: report-reader and admin).
#include "api/codec.h"
#include "api/guarded_route.h"
#include "api/route_groups.h"
#include "http/json_io.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

constexpr int64_t kMaxPage = 1000;

// The integer query parameter `name` in [min, max], or `fallback` when absent.
Result<int64_t> QueryInteger(const http::Request& request, std::string_view name, int64_t min,
                             int64_t max, int64_t fallback) {
  LOCKBOX_ASSIGN_OR_RETURN(std::optional<std::string> text, http::QueryParam(request, name));
  if (!text) return fallback;
  const Status bad = Status::InvalidArgument("the query parameter " + std::string(name) +
                                             " must be an integer from " + std::to_string(min) +
                                             " to " + std::to_string(max));
  if (text->empty() || text->size() > 18) return bad;
  int64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return bad;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) return bad;
  return value;
}

http::Response ReadAudit(Services& services, http::Request& request, const Caller& caller) {
  if (Status status = service::Authorize(caller.actor, service::Operation::kReadAudit);
      !status.ok()) {
    return Failure(status);
  }
  auto from = QueryInteger(request, "from", 1, INT64_MAX, 1);
  if (!from.ok()) return Failure(from.status());
  auto limit = QueryInteger(request, "limit", 1, kMaxPage, 100);
  if (!limit.ok()) return Failure(limit.status());
  // One more than asked tells whether another page follows.
  auto entries = services.store().ReadAudit(*from, static_cast<size_t>(*limit) + 1);
  if (!entries.ok()) return Failure(entries.status());
  nlohmann::json list = nlohmann::json::array();
  const size_t shown = std::min(entries->size(), static_cast<size_t>(*limit));
  for (size_t i = 0; i < shown; ++i) list.push_back(EncodeAuditEntry((*entries)[i]));
  nlohmann::json out = {{"entries", std::move(list)}, {"next", nullptr}};
  if (entries->size() > shown) out["next"] = (*entries)[shown].sequence;
  return http::JsonResponse(200, out);
}

http::Response VerifyAudit(Services& services, const Caller& caller) {
  if (Status status = service::Authorize(caller.actor, service::Operation::kReadAudit);
      !status.ok()) {
    return Failure(status);
  }
  auto report = services.audit().Verify();
  if (!report.ok()) return Failure(report.status());
  return http::JsonResponse(200, EncodeChainReport(*report));
}

}  // namespace

Status AddAuditRoutes(http::Router& router, Services& services) {
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/audit",
       .summary = "Read the audit log",
       .description = "Entries from sequence `from` (default 1), at most `limit` (default 100, at "
                      "most 1000), in order; `next` is the sequence to ask for next, or null at "
                      "the end. Each entry: time, actor, role, source, computer, key ID and type, "
                      "reason, end user, result, and its chain hash.",
       .response_schema = ObjectSchema({{"entries", "array"}, {"next", "integer"}}),
       .roles = {Role::kAdmin, Role::kReportReader},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return ReadAudit(services, request, caller);
       }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/audit/verify",
       .summary = "Verify the audit log's hash chain",
       .description = "ok, or the first entry that was altered or is missing and why; "
                      "last_hash is the hash of the last good entry (keep it elsewhere to make a "
                      "rewrite of the whole chain detectable).",
       .response_schema = ObjectSchema({{"ok", "boolean"},
                                        {"entries_checked", "integer"},
                                        {"last_hash", "string"},
                                        {"bad_sequence", "integer"},
                                        {"problem", "string"}}),
       .roles = {Role::kAdmin, Role::kReportReader},
       .handler = [&services](http::Request&, const Caller& caller) {
         return VerifyAudit(services, caller);
       }});
}

}  // namespace lockbox::api::internal
