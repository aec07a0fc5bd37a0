// Reading and verifying the audit log (auditors: report-reader and admin).
#include "api/codec.h"
#include "api/csv.h"
#include "api/guarded_route.h"
#include "api/route_groups.h"
#include "http/json_io.h"
#include "util/utc_time.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

constexpr int64_t kMaxPage = 1000;
// A CSV export holds at most this many entries: more is a filter to narrow.
constexpr size_t kMaxExport = 100'000;
constexpr size_t kMaxFilterBytes = 256;

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

// A time filter: an RFC 3339 time, or a date (YYYY-MM-DD, UTC) meaning its midnight, or with
// `end_of_day` the midnight after it (so that until=2024-05-01 includes that day).
Result<std::optional<store::Time>> QueryTime(const http::Request& request, std::string_view name,
                                             bool end_of_day) {
  LOCKBOX_ASSIGN_OR_RETURN(std::optional<std::string> text, http::QueryParam(request, name));
  if (!text || text->empty()) return std::optional<store::Time>();
  const bool date = text->size() == 10;
  auto time = ParseUtc(date ? *text + "T00:00:00Z" : *text);
  if (!time.ok()) {
    return Status::InvalidArgument("the query parameter " + std::string(name) +
                                   " must be a date (2024-05-01) or an RFC 3339 time");
  }
  if (date && end_of_day) *time += std::chrono::days(1);
  return std::optional<store::Time>(*time);
}

Result<std::string> QueryText(const http::Request& request, std::string_view name) {
  LOCKBOX_ASSIGN_OR_RETURN(std::optional<std::string> text, http::QueryParam(request, name));
  if (text && text->size() > kMaxFilterBytes) {
    return Status::InvalidArgument("the query parameter " + std::string(name) + " is longer than " +
                                   std::to_string(kMaxFilterBytes) + " bytes");
  }
  return text.value_or("");
}

// The filters of ?since=&until=&source=&result=&key_type=&user=&computer=.
Result<store::AuditQuery> AuditFilter(const http::Request& request) {
  store::AuditQuery query;
  LOCKBOX_ASSIGN_OR_RETURN(query.since, QueryTime(request, "since", false));
  LOCKBOX_ASSIGN_OR_RETURN(query.until, QueryTime(request, "until", true));
  LOCKBOX_ASSIGN_OR_RETURN(query.source, QueryText(request, "source"));
  LOCKBOX_ASSIGN_OR_RETURN(query.result, QueryText(request, "result"));
  LOCKBOX_ASSIGN_OR_RETURN(query.key_type, QueryText(request, "key_type"));
  LOCKBOX_ASSIGN_OR_RETURN(query.user, QueryText(request, "user"));
  LOCKBOX_ASSIGN_OR_RETURN(query.computer, QueryText(request, "computer"));
  return query;
}

http::Response ExportAudit(Services& services, store::AuditQuery query) {
  std::vector<std::vector<std::string>> rows;
  query.max_entries = kMaxPage;
  while (true) {
    auto entries = services.store().FindAudit(query);
    if (!entries.ok()) return Failure(entries.status());
    for (const store::AuditEntry& e : *entries) {
      rows.push_back({std::to_string(e.sequence), FormatUtc(e.time), e.actor, e.role, e.source,
                      e.computer, e.key_id, e.key_type, e.reason, e.end_user, e.result});
    }
    if (rows.size() > kMaxExport) {
      return Failure(Status::InvalidArgument(
          "more than " + std::to_string(kMaxExport) +
          " audit entries match: narrow the filters (a shorter date range) and export again"));
    }
    if (entries->size() < query.max_entries) break;
    query.first = entries->back().sequence + 1;
  }
  return CsvResponse("lockbox-audit.csv",
                     {"sequence", "time", "actor", "role", "source", "computer", "key_id",
                      "key_type", "reason", "end_user", "result"},
                     rows);
}

http::Response ReadAudit(Services& services, http::Request& request, const Caller& caller) {
  if (Status status = service::Authorize(caller.actor, service::Operation::kReadAudit);
      !status.ok()) {
    return Failure(status);
  }
  auto query = AuditFilter(request);
  if (!query.ok()) return Failure(query.status());
  auto csv = WantsCsv(request);
  if (!csv.ok()) return Failure(csv.status());
  auto from = QueryInteger(request, "from", 1, INT64_MAX, 1);
  if (!from.ok()) return Failure(from.status());
  query->first = *from;
  if (*csv) return ExportAudit(services, *query);
  auto limit = QueryInteger(request, "limit", 1, kMaxPage, 100);
  if (!limit.ok()) return Failure(limit.status());
  // One more than asked tells whether another page follows.
  query->max_entries = static_cast<size_t>(*limit) + 1;
  auto entries = services.store().FindAudit(*query);
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
       .description =
           "Entries from sequence `from` (default 1), at most `limit` (default 100, at most "
           "1000), in order; `next` is the sequence to ask for next, or null at the end. Each "
           "entry: time, actor, role, source, computer, key ID and type, reason, end user, "
           "result, and its chain hash. Filters, each optional: `since`, `until` (a date, "
           "inclusive, or an RFC 3339 time), `source`, `key_type` (exactly), `result` (the "
           "result or its code: `disclosed`, `not_found`, `permission_denied`, `ambiguous`), "
           "`user` (actor or end user), `computer` (name or ID). `format=csv`: every matching "
           "entry (at most 100000) as text/csv, cells that could start a formula prefixed with '.",
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
