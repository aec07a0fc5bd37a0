// The reports (admins and report readers; no secrets): compliance over every computer with
// its trend, keys disclosed and not yet rotated, computers recovered repeatedly; and one
// computer's compliance for the computer page. Each report is JSON, or with ?format=csv the
// same rows as text/csv (csv.h).
#include "api/codec.h"
#include "api/csv.h"
#include "api/guarded_route.h"
#include "api/route_groups.h"
#include "http/json_io.h"
#include "util/utc_time.h"

namespace lockbox::api::internal {
namespace {

using service::Role;

constexpr int kTrendDays = 90;

// A report's rows as JSON objects keyed by `columns`, beside `extra`'s fields.
nlohmann::json Rows(const std::vector<std::string>& columns,
                    const std::vector<std::vector<std::string>>& rows, nlohmann::json extra) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < columns.size(); ++i) object[columns[i]] = row[i];
    list.push_back(std::move(object));
  }
  extra["rows"] = std::move(list);
  return extra;
}

// The report as CSV when asked, JSON otherwise.
http::Response Answer(const http::Request& request, const std::string& file_name,
                      const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::string>>& rows, nlohmann::json extra) {
  auto csv = WantsCsv(request);
  if (!csv.ok()) return Failure(csv.status());
  if (*csv) return CsvResponse(file_name, columns, rows);
  return http::JsonResponse(200, Rows(columns, rows, std::move(extra)));
}

std::string Reasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

nlohmann::json EncodeVolumeCompliance(const service::VolumeCompliance& v) {
  nlohmann::json out = EncodeVolume(v.volume);
  out["compliance"] = service::NameOf(v.state);
  out["reasons"] = v.reasons;
  return out;
}

nlohmann::json EncodeSnapshot(const store::ComplianceSnapshot& s) {
  return {{"day", FormatUtc(s.day).substr(0, 10)},
          {"compliant", s.compliant},
          {"noncompliant", s.noncompliant},
          {"unknown", s.unknown}};
}

http::Response Compliance(Services& services, http::Request& request, const Caller& caller) {
  auto report = services.compliance().Report(caller.actor, kTrendDays);
  if (!report.ok()) return Failure(report.status());
  std::vector<std::vector<std::string>> rows;
  for (const service::ComputerCompliance& c : report->noncompliant) {
    for (const service::VolumeCompliance& v : c.volumes) {
      if (v.state != service::ComplianceState::kNoncompliant) continue;
      rows.push_back({c.computer.name, c.computer.id.ToString(), v.volume.drive_letter,
                      std::string(store::NameOf(v.volume.type)), v.volume.id.ToString(),
                      Reasons(v.reasons)});
    }
  }
  nlohmann::json trend = nlohmann::json::array();
  for (const auto& s : report->trend) trend.push_back(EncodeSnapshot(s));
  return Answer(request, "lockbox-compliance.csv",
                {"computer", "computer_id", "drive_letter", "volume_type", "volume_id", "reasons"},
                rows, {{"counts", EncodeSnapshot(report->today)}, {"trend", std::move(trend)}});
}

http::Response AwaitingRotation(Services& services, http::Request& request, const Caller& caller) {
  auto keys = services.reports().KeysAwaitingRotation(caller.actor);
  if (!keys.ok()) return Failure(keys.status());
  std::vector<std::vector<std::string>> rows;
  for (const service::AwaitingRotation& a : *keys) {
    rows.push_back({a.computer.name, a.computer.id.ToString(), a.volume.drive_letter,
                    a.key.key_id.ToString(),
                    a.key.state_changed_at ? FormatUtc(*a.key.state_changed_at) : "",
                    std::to_string(a.age_seconds / (24 * 60 * 60)),
                    a.computer.last_contact ? FormatUtc(*a.computer.last_contact) : ""});
  }
  return Answer(request, "lockbox-keys-awaiting-rotation.csv",
                {"computer", "computer_id", "drive_letter", "key_id", "disclosed_at", "age_days",
                 "last_contact"},
                rows, nlohmann::json::object());
}

http::Response RepeatedRecoveries(Services& services, http::Request& request,
                                  const Caller& caller) {
  auto repeated = services.reports().RepeatedRecoveries(caller.actor);
  if (!repeated.ok()) return Failure(repeated.status());
  std::vector<std::vector<std::string>> rows;
  for (const service::RepeatedRecovery& r : *repeated) {
    rows.push_back({r.computer, r.computer_id ? r.computer_id->ToString() : "",
                    std::to_string(r.disclosures), FormatUtc(r.first), FormatUtc(r.last)});
  }
  const auto& options = services.options().service;
  return Answer(
      request, "lockbox-repeated-recoveries.csv",
      {"computer", "computer_id", "disclosures", "first", "last"}, rows,
      {{"window_days",
        std::chrono::duration_cast<std::chrono::days>(options.repeated_recovery_window).count()},
       {"min_disclosures", options.repeated_recovery_count}});
}

http::Response ComputerCompliance(Services& services, http::Request& request,
                                  const Caller& caller) {
  auto id = PathId(request, "computer_id");
  if (!id.ok()) return Failure(id.status());
  auto compliance = services.compliance().OfComputer(caller.actor, *id);
  if (!compliance.ok()) return Failure(compliance.status());
  nlohmann::json volumes = nlohmann::json::array();
  for (const auto& v : compliance->volumes) volumes.push_back(EncodeVolumeCompliance(v));
  return http::JsonResponse(200, {{"computer_id", id->ToString()},
                                  {"compliance", service::NameOf(compliance->state)},
                                  {"volumes", std::move(volumes)}});
}

const char* const kFormats =
    " With `format=csv` the rows as text/csv (cells that could start a "
    "formula prefixed with ').";

}  // namespace

Status AddReportRoutes(http::Router& router, Services& services) {
  const std::vector<Role> readers = {Role::kAdmin, Role::kReportReader};
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/reports/compliance",
       .summary = "Enterprise compliance: counts by state, the trend, the non-compliant drives",
       .description = std::string("`counts` now (compliant, noncompliant, unknown: no volume "
                                  "reported), `trend` one snapshot a day for 90 days (today's "
                                  "is recorded by this call), `rows` each non-compliant drive "
                                  "with its reasons under the [compliance] policy.") +
                      kFormats,
       .response_schema =
           ObjectSchema({{"counts", "object"}, {"trend", "array"}, {"rows", "array"}}),
       .roles = readers,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return Compliance(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/reports/keys-awaiting-rotation",
       .summary = "Recovery passwords disclosed and not yet replaced by their agent, with age",
       .description =
           std::string("Oldest disclosure first; age_days since the disclosure.") + kFormats,
       .response_schema = ObjectSchema({{"rows", "array"}}),
       .roles = readers,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return AwaitingRotation(services, request, caller);
       }}));
  LOCKBOX_RETURN_IF_ERROR(AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/reports/repeated-recoveries",
       .summary = "Computers whose recovery passwords were disclosed repeatedly",
       .description =
           std::string("At least [reports] repeated_recovery_count disclosures within "
                       "repeated_recovery_days (`min_disclosures`, `window_days`), from the "
                       "audit log; most first.") +
           kFormats,
       .response_schema = ObjectSchema(
           {{"rows", "array"}, {"window_days", "integer"}, {"min_disclosures", "integer"}}),
       .roles = readers,
       .handler = [&services](http::Request& request, const Caller& caller) {
         return RepeatedRecoveries(services, request, caller);
       }}));
  return AddGuarded(
      router, services,
      {.method = http::Method::kGet,
       .pattern = "/api/v1/computers/{computer_id}/compliance",
       .summary = "A computer's compliance, per drive, with the reasons",
       .response_schema = ObjectSchema(
           {{"computer_id", "string"}, {"compliance", "string"}, {"volumes", "array"}}),
       .roles = {Role::kAdmin, Role::kAdvancedHelpdesk, Role::kReportReader},
       .handler = [&services](http::Request& request, const Caller& caller) {
         return ComputerCompliance(services, request, caller);
       }});
}

}  // namespace lockbox::api::internal
