#include "service/settings.h"

#include <algorithm>
#include <charconv>

#include "service/admin_audit.h"

namespace lockbox::service {
namespace {

// Each setting has a row in the store by its name, holding its text form: a list one item a
// line, minutes in decimal.
struct Field {
  const char* name;
  std::string (*text)(const RuntimeSettings& s);
  // Sets the field of *s from a text form, checked as a change would be.
  Status (*set)(std::string_view text, RuntimeSettings* s);
  // The text form of the change's value; nullopt when the change leaves the field alone.
  std::optional<std::string> (*changed)(const SettingsChange& c);
};

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

Status CheckText(std::string_view name, std::string_view text, size_t max_bytes, bool multiline) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(name) + " is longer than " +
                                   std::to_string(max_bytes) + " bytes: shorten it");
  }
  for (char c : text) {
    if (IsControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
      return Status::InvalidArgument(std::string(name) + " holds a control character: remove it");
    }
  }
  return Status::Ok();
}

std::string Lines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "\n") + item;
  return out;
}

Status SetReasons(std::string_view name, std::string_view text, std::vector<std::string>* out) {
  std::vector<std::string> reasons;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    reasons.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (text.empty() || reasons.size() > config::kMaxReasons) {
    return Status::InvalidArgument(std::string(name) + " must list 1 to " +
                                   std::to_string(config::kMaxReasons) + " reasons");
  }
  for (size_t i = 0; i < reasons.size(); ++i) {
    const std::string& reason = reasons[i];
    if (reason.empty()) {
      return Status::InvalidArgument(std::string(name) + " holds an empty reason: remove it");
    }
    LOCKBOX_RETURN_IF_ERROR(CheckText(std::string(name) + " reason " + std::to_string(i + 1),
                                      reason, config::kMaxReasonBytes, false));
    if (std::find(reasons.begin(), reasons.begin() + i, reason) != reasons.begin() + i) {
      return Status::InvalidArgument(std::string(name) + " lists \"" + reason +
                                     "\" twice: keep one");
    }
  }
  *out = WithOtherReason(std::move(reasons));
  return Status::Ok();
}

std::optional<std::string> ReasonsText(const std::optional<std::vector<std::string>>& reasons) {
  if (!reasons) return std::nullopt;
  return Lines(*reasons);
}

// A reason holding a line break would read back from its text form as two.
Status CheckNoLineBreaks(std::string_view name,
                         const std::optional<std::vector<std::string>>& reasons) {
  for (const std::string& reason : reasons.value_or(std::vector<std::string>{})) {
    if (reason.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(std::string(name) +
                                     " has a reason with a line break: " + "make it one line");
    }
  }
  return Status::Ok();
}

Status SetMinutes(std::string_view name, std::string_view text, uint32_t min, uint32_t max,
                  std::chrono::minutes* out) {
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(std::string(name) + " must be a whole number of minutes from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  *out = std::chrono::minutes(value);
  return Status::Ok();
}

std::optional<std::string> MinutesText(const std::optional<std::chrono::minutes>& minutes) {
  if (!minutes) return std::nullopt;
  return std::to_string(minutes->count());
}

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = {
      {"drive_unlock_reasons",
       [](const RuntimeSettings& s) { return Lines(s.drive_unlock_reasons); },
       [](std::string_view text, RuntimeSettings* s) {
         return SetReasons("drive_unlock_reasons", text, &s->drive_unlock_reasons);
       },
       [](const SettingsChange& c) { return ReasonsText(c.drive_unlock_reasons); }},
      {"tpm_reasons", [](const RuntimeSettings& s) { return Lines(s.tpm_reasons); },
       [](std::string_view text, RuntimeSettings* s) {
         return SetReasons("tpm_reasons", text, &s->tpm_reasons);
       },
       [](const SettingsChange& c) { return ReasonsText(c.tpm_reasons); }},
      {"self_service_notice", [](const RuntimeSettings& s) { return s.self_service_notice; },
       [](std::string_view text, RuntimeSettings* s) {
         if (text.empty()) {
           return Status::InvalidArgument("self_service_notice is empty: write the notice");
         }
         LOCKBOX_RETURN_IF_ERROR(
             CheckText("self_service_notice", text, config::kMaxNoticeBytes, true));
         s->self_service_notice = std::string(text);
         return Status::Ok();
       },
       [](const SettingsChange& c) { return c.self_service_notice; }},
      {"company_name", [](const RuntimeSettings& s) { return s.company_name; },
       [](std::string_view text, RuntimeSettings* s) {
         LOCKBOX_RETURN_IF_ERROR(CheckText("company_name", text, config::kMaxLabelBytes, false));
         s->company_name = std::string(text);
         return Status::Ok();
       },
       [](const SettingsChange& c) { return c.company_name; }},
      {"helpdesk_contact", [](const RuntimeSettings& s) { return s.helpdesk_contact; },
       [](std::string_view text, RuntimeSettings* s) {
         LOCKBOX_RETURN_IF_ERROR(
             CheckText("helpdesk_contact", text, config::kMaxLabelBytes, false));
         s->helpdesk_contact = std::string(text);
         return Status::Ok();
       },
       [](const SettingsChange& c) { return c.helpdesk_contact; }},
      {"report_interval_minutes",
       [](const RuntimeSettings& s) { return std::to_string(s.report_interval.count()); },
       [](std::string_view text, RuntimeSettings* s) {
         return SetMinutes("report_interval_minutes", text, 1, config::kMaxReportIntervalMinutes,
                           &s->report_interval);
       },
       [](const SettingsChange& c) { return MinutesText(c.report_interval); }},
      {"agent_tpm_unlock_window_minutes",
       [](const RuntimeSettings& s) { return std::to_string(s.agent_tpm_unlock_window.count()); },
       [](std::string_view text, RuntimeSettings* s) {
         return SetMinutes("agent_tpm_unlock_window_minutes", text, 0,
                           config::kMaxAgentTpmUnlockWindowMinutes, &s->agent_tpm_unlock_window);
       },
       [](const SettingsChange& c) { return MinutesText(c.agent_tpm_unlock_window); }},
  };
  return kFields;
}

// A setting's text for the audit entry, on one line.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out + "\"";
}

}  // namespace

Result<RuntimeSettings> Settings::Load() {
  RuntimeSettings settings{
      .drive_unlock_reasons = defaults_.drive_unlock_reasons,
      .tpm_reasons = defaults_.tpm_reasons,
      .self_service_notice = defaults_.self_service_notice,
      .company_name = defaults_.company_name,
      .helpdesk_contact = defaults_.helpdesk_contact,
      .report_interval = defaults_.report_interval,
      .agent_tpm_unlock_window =
          std::chrono::duration_cast<std::chrono::minutes>(defaults_.agent_tpm_unlock_window)};
  LOCKBOX_ASSIGN_OR_RETURN(const std::vector<store::Setting> stored, store_.ListSettings());
  for (const store::Setting& setting : stored) {
    const auto field = std::find_if(Fields().begin(), Fields().end(),
                                    [&](const Field& f) { return setting.name == f.name; });
    if (field == Fields().end()) continue;  // one a newer Lockbox knows
    if (Status status = field->set(setting.value, &settings); !status.ok()) {
      return Status::Corrupt("the stored setting " + setting.name + " cannot be used (" +
                             status.message() + "): set it again");
    }
  }
  return settings;
}

Result<std::shared_ptr<const RuntimeSettings>> Settings::Current() {
  std::lock_guard lock(mu_);
  const store::Time now = defaults_.now();
  if (!cached_ || now - read_at_ >= kRefresh || now < read_at_) {
    LOCKBOX_ASSIGN_OR_RETURN(RuntimeSettings loaded, Load());
    cached_ = std::make_shared<const RuntimeSettings>(std::move(loaded));
    read_at_ = now;
  }
  return cached_;
}

Result<RuntimeSettings> Settings::Change(const Actor& admin, const SettingsChange& change) {
  LOCKBOX_RETURN_IF_ERROR(RequireAdmin(admin, "change settings"));
  std::lock_guard lock(mu_);
  LOCKBOX_ASSIGN_OR_RETURN(const RuntimeSettings current, Load());
  LOCKBOX_RETURN_IF_ERROR(CheckNoLineBreaks("drive_unlock_reasons", change.drive_unlock_reasons));
  LOCKBOX_RETURN_IF_ERROR(CheckNoLineBreaks("tpm_reasons", change.tpm_reasons));
  RuntimeSettings next = current;
  for (const Field& field : Fields()) {
    if (const auto text = field.changed(change)) LOCKBOX_RETURN_IF_ERROR(field.set(*text, &next));
  }
  const store::Time now = defaults_.now();
  for (const Field& field : Fields()) {
    const std::string before = field.text(current);
    const std::string after = field.text(next);
    if (before == after) continue;
    LOCKBOX_RETURN_IF_ERROR(store_.PutSetting(
        {.name = field.name, .value = after, .changed_by = admin.name, .changed_at = now}));
    cached_.reset();  // what is stored now differs from the cache
    LOCKBOX_RETURN_IF_ERROR(AuditAdminChange(
        audit_, admin, now,
        {.what = "setting changed",
         .details = std::string(field.name) + ": " + Quoted(before) + " -> " + Quoted(after),
         .end_user = "",
         .computer = ""}));
  }
  cached_ = std::make_shared<const RuntimeSettings>(next);
  read_at_ = now;
  return next;
}

}  // namespace lockbox::service
