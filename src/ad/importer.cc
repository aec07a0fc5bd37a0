#include "ad/importer.h"

#include <algorithm>
#include <map>
#include <set>

#include "ldap/dn.h"
#include "ldap/domain.h"
#include "util/ascii.h"

namespace lockbox::ad {
namespace {

// managedBy DNs are looked up this many to a search: (|(distinguishedName=...)...).
constexpr size_t kUsersPerSearch = 50;
constexpr int kOwnerSecurityInformation = 1;  // of nTSecurityDescriptor, only the owner

service::MigratedComputer ComputerOf(const Computer& computer) {
  return {.name = computer.name, .domain = computer.domain, .id = computer.id};
}

void Count(OutcomeCounts& counts, service::MigrationOutcome outcome) {
  switch (outcome) {
    case service::MigrationOutcome::kCreated:
      ++counts.created;
      break;
    case service::MigrationOutcome::kUpdated:
      ++counts.updated;
      break;
    case service::MigrationOutcome::kUnchanged:
      ++counts.unchanged;
      break;
    case service::MigrationOutcome::kConflict:
      ++counts.changed;
      break;
    case service::MigrationOutcome::kStale:
      ++counts.stale;
      break;
    case service::MigrationOutcome::kInvalid:
      ++counts.invalid;
      break;
  }
}

// Items of one kind waiting to be written, with the DN each came from.
template <typename Item>
struct Batch {
  std::vector<Item> items;
  std::vector<std::string> dns;

  void Add(Item item, std::string dn) {
    items.push_back(std::move(item));
    dns.push_back(std::move(dn));
  }
  bool full() const { return items.size() >= service::kMaxMigrationItems; }
};

std::string ConfidentialHelp(std::string_view what, std::string_view base) {
  return std::string(what) +
         " is a confidential attribute: read rights are not enough, the bind account needs "
         "control access to it. Grant it on " +
         std::string(base) +
         " (inherited by msFVE-RecoveryInformation objects), or bind as a domain admin; "
         "docs/import-ad.md shows how";
}

}  // namespace

struct Importer::State {
  const ImportOptions& options;
  const ProgressHandler& progress;
  ImportSummary summary;
  std::map<std::string, Computer> computers;  // by DnKey
  std::string default_naming_context;         // "DC=corp,DC=example"
  std::string netbios_domain;                 // "CORP", for user names
  size_t readable_passwords = 0;
  size_t unreadable_passwords = 0;
  std::optional<int64_t> changed_after = std::nullopt;  // incremental: the USN of the earlier pass

  // Whether an incremental pass takes `computer` (a full pass takes every one).
  bool Changed(const Computer& computer) const {
    return !changed_after || computer.usn_changed > *changed_after;
  }
  // `filter` limited to objects changed since the earlier pass.
  std::string ChangedOnly(const std::string& filter) const {
    if (!changed_after) return filter;
    return "(&" + filter + "(uSNChanged>=" + std::to_string(*changed_after + 1) + "))";
  }

  void Skip(std::string dn, std::string reason) {
    summary.skipped.push_back({std::move(dn), std::move(reason)});
  }
  void Progress() const {
    if (progress) progress(summary);
  }
  const Computer* FindComputer(std::string_view dn) const {
    const auto found = computers.find(ldap::DnKey(dn));
    return found == computers.end() ? nullptr : &found->second;
  }
};

namespace {

// Writes `batch` with `write` (a MigrationService operation), counting each outcome and
// listing refused and conflicting items under their DN. A dry run only checks the items.
template <typename Item, typename Write>
Status Flush(Batch<Item>& batch, OutcomeCounts& counts, ImportSummary& summary, bool write_it,
             const Write& write) {
  if (!write_it) {
    for (size_t i = 0; i < batch.items.size(); ++i) {
      const Status checked = service::CheckMigrated(batch.items[i]);
      if (checked.ok()) continue;
      ++counts.invalid;
      summary.skipped.push_back({batch.dns[i], checked.message()});
    }
  } else if (!batch.items.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(const service::MigrationResult result, write(batch.items));
    for (size_t i = 0; i < result.items.size() && i < batch.dns.size(); ++i) {
      const service::MigrationItemResult& item = result.items[i];
      Count(counts, item.outcome);
      if (item.outcome == service::MigrationOutcome::kInvalid ||
          item.outcome == service::MigrationOutcome::kConflict) {
        summary.skipped.push_back({batch.dns[i], item.message});
      }
    }
  }
  batch.items.clear();
  batch.dns.clear();
  return Status::Ok();
}

}  // namespace

Result<ImportSummary> Importer::Run(const ImportOptions& options, const ProgressHandler& progress) {
  if (options.search_base.empty()) return Status::InvalidArgument("the search base is empty");
  State state{.options = options,
              .progress = progress,
              .summary = {},
              .computers = {},
              .default_naming_context = {},
              .netbios_domain = {}};
  state.summary.dry_run = sink_ == nullptr;
  // Read first: whatever changes while this pass runs is above it, so the next pass reads it.
  LOCKBOX_ASSIGN_OR_RETURN(state.summary.sync_point, ReadSyncPoint());
  if (options.since && options.since->invocation_id == state.summary.sync_point.invocation_id) {
    state.summary.incremental = true;
    state.changed_after = options.since->highest_usn;
  }

  // The domain's names: the default naming context (where users are looked up) and the
  // NetBIOS name users are known by ("CORP\alice").
  LOCKBOX_ASSIGN_OR_RETURN(const ldap::DomainNames names, ldap::ReadDomainNames(directory_));
  state.default_naming_context = names.naming_context;
  state.netbios_domain = names.netbios_name;
  if (state.netbios_domain.empty()) {
    const std::string dns = ldap::DnsDomainOf(options.search_base);
    state.netbios_domain = dns.substr(0, dns.find('.'));
  }

  LOCKBOX_RETURN_IF_ERROR(ReadComputers(state));
  LOCKBOX_RETURN_IF_ERROR(ReadRecoveryInformation(state));
  if (state.readable_passwords == 0 && state.unreadable_passwords > 0) {
    return Status::PermissionDenied(
        std::to_string(state.unreadable_passwords) +
        " msFVE-RecoveryInformation objects were found, but the bind account cannot read the "
        "recovery password of any of them. " +
        ConfidentialHelp("msFVE-RecoveryPassword", options.search_base) +
        ". Nothing was imported.");
  }
  LOCKBOX_RETURN_IF_ERROR(ReadTpmObjects(state));
  LOCKBOX_RETURN_IF_ERROR(LinkUsers(state));
  state.Progress();
  return std::move(state.summary);
}

Result<SyncPoint> Importer::ReadSyncPoint() {
  SyncPoint point;
  std::string service;  // the DC's NTDS Settings object, which holds its invocationId
  std::string usn;
  LOCKBOX_RETURN_IF_ERROR(
      directory_.Search({.base = "",
                         .scope = ldap::Scope::kBase,
                         .filter = "(objectClass=*)",
                         .attributes = {"highestCommittedUSN", "dsServiceName"},
                         .secret_attributes = {},
                         .page_size = 1},
                        [&](ldap::Entry entry) {
                          if (const std::string* v = entry.First("highestCommittedUSN")) usn = *v;
                          if (const std::string* v = entry.First("dsServiceName")) service = *v;
                          return Status::Ok();
                        }));
  if (usn.empty() || service.empty()) {
    return Status::Unsupported(
        "the directory names no highestCommittedUSN or dsServiceName in its root DSE: is it an "
        "Active Directory domain controller?");
  }
  LOCKBOX_ASSIGN_OR_RETURN(point.highest_usn, ParseUsn("highestCommittedUSN", usn));
  LOCKBOX_RETURN_IF_ERROR(directory_.Search({.base = service,
                                             .scope = ldap::Scope::kBase,
                                             .filter = "(objectClass=*)",
                                             .attributes = {"invocationId"},
                                             .secret_attributes = {},
                                             .page_size = 1},
                                            [&](ldap::Entry entry) {
                                              if (const std::string* v =
                                                      entry.First("invocationId")) {
                                                static constexpr char kHex[] = "0123456789abcdef";
                                                for (const char c : *v) {
                                                  const auto byte = static_cast<unsigned char>(c);
                                                  point.invocation_id += kHex[byte >> 4];
                                                  point.invocation_id += kHex[byte & 0xF];
                                                }
                                              }
                                              return Status::Ok();
                                            }));
  if (point.invocation_id.empty()) {
    return Status::Unsupported("the domain controller's " + service +
                               " shows no invocationId: incremental sync cannot tell whether "
                               "its USNs still count from the same start");
  }
  return point;
}

Status Importer::ReadComputers(State& state) {
  return directory_.Search(
      {.base = state.options.search_base,
       .scope = state.options.recurse ? ldap::Scope::kSubtree : ldap::Scope::kOneLevel,
       .filter = "(objectClass=computer)",
       .attributes = kComputerAttributes,
       .secret_attributes = kComputerSecrets,
       .page_size = state.options.page_size,
       .security_descriptor_flags = kOwnerSecurityInformation},
      [&](ldap::Entry entry) -> Status {
        auto computer = ParseComputer(entry);
        if (!computer.ok()) {
          state.Skip(entry.dn, "computer: " + computer.status().message());
          return Status::Ok();
        }
        if (state.Changed(*computer)) ++state.summary.computers;
        state.computers.emplace(ldap::DnKey(computer->dn), std::move(computer).value());
        state.Progress();
        return Status::Ok();
      });
}

Status Importer::ReadRecoveryInformation(State& state) {
  Batch<service::MigratedRecoveryInformation> keys;
  const auto write = [&](const auto& items) { return sink_->WriteRecoveryInformation(items); };
  std::string filter = "(objectClass=msFVE-RecoveryInformation)";
  if (state.options.after) {
    filter = "(&" + filter + "(whenCreated>=" + FormatGeneralizedTime(*state.options.after) + "))";
  }
  std::vector<std::string> secrets = {"msFVE-RecoveryPassword"};
  std::vector<std::string> attributes = kRecoveryAttributes;
  if (state.options.key_packages) {
    secrets.push_back("msFVE-KeyPackage");
  } else {
    std::erase(attributes, "msFVE-KeyPackage");
  }
  const Status searched = directory_.Search(
      {.base = state.options.search_base,
       .scope = ldap::Scope::kSubtree,
       .filter = state.ChangedOnly(filter),
       .attributes = attributes,
       .secret_attributes = secrets,
       .page_size = state.options.page_size},
      [&](ldap::Entry entry) -> Status {
        const Computer* computer = state.FindComputer(ldap::ParentDn(entry.dn));
        if (computer == nullptr) {
          // Below a computer that was not read (deeper than one level without --recurse), or
          // not below a computer at all.
          if (state.options.recurse) state.Skip(entry.dn, "it is not below a computer object");
          return Status::Ok();
        }
        ++state.summary.recovery_objects;
        auto info = ParseRecoveryInformation(entry, state.options.key_packages);
        if (!info.ok()) {
          if (info.status().code() == ErrorCode::kNotFound) {
            ++state.unreadable_passwords;
            state.Skip(entry.dn,
                       "msFVE-RecoveryPassword is missing, or the bind account may not read it: " +
                           ConfidentialHelp("msFVE-RecoveryPassword", state.options.search_base));
          } else {
            ++state.summary.keys.invalid;
            state.Skip(entry.dn, info.status().message());
          }
          return Status::Ok();
        }
        ++state.readable_passwords;
        ++state.summary.keys.read;
        keys.Add({.computer = ComputerOf(*computer),
                  .volume_id = info->volume_id,
                  .key_id = info->key_id,
                  .recovery_password = std::move(info->recovery_password),
                  .key_package = std::move(info->key_package),
                  .created_at = info->created_at,
                  .volume_type = std::nullopt},
                 entry.dn);
        if (keys.full()) {
          LOCKBOX_RETURN_IF_ERROR(
              Flush(keys, state.summary.keys, state.summary, sink_ != nullptr, write));
        }
        state.Progress();
        return Status::Ok();
      });
  LOCKBOX_RETURN_IF_ERROR(searched);
  return Flush(keys, state.summary.keys, state.summary, sink_ != nullptr, write);
}

Status Importer::ReadTpmObjects(State& state) {
  // The TPM objects computers link to, by DnKey, and the containers that hold them.
  std::map<std::string, std::vector<const Computer*>> linked;
  std::set<std::string> containers;
  for (const auto& [key, computer] : state.computers) {
    if (computer.tpm_object_dn.empty()) continue;
    linked[ldap::DnKey(computer.tpm_object_dn)].push_back(&computer);
    containers.insert(std::string(ldap::ParentDn(computer.tpm_object_dn)));
  }
  Batch<service::MigratedTpmInformation> tpm;
  const auto write = [&](const auto& items) { return sink_->WriteTpmInformation(items); };
  // Windows Server 2008 R2 kept the value on the computer; its change time is the computer's.
  for (const auto& [key, computer] : state.computers) {
    if (!computer.tpm_owner_information || !state.Changed(computer)) continue;
    ++state.summary.tpm.read;
    tpm.Add({.computer = ComputerOf(computer),
             .owner_auth = computer.tpm_owner_information->Clone(),
             .changed_at = computer.changed_at},
            computer.dn);
    if (tpm.full()) {
      LOCKBOX_RETURN_IF_ERROR(
          Flush(tpm, state.summary.tpm, state.summary, sink_ != nullptr, write));
    }
  }
  std::set<std::string> seen;
  for (const std::string& container : containers) {
    const Status searched = directory_.Search(
        {.base = container,
         .scope = ldap::Scope::kOneLevel,
         .filter = state.ChangedOnly("(objectClass=msTPM-InformationObject)"),
         .attributes = kTpmAttributes,
         .secret_attributes = kTpmSecrets,
         .page_size = state.options.page_size},
        [&](ldap::Entry entry) -> Status {
          const auto computers = linked.find(ldap::DnKey(entry.dn));
          if (computers == linked.end()) return Status::Ok();  // a TPM of another computer
          seen.insert(computers->first);
          auto info = ParseTpmInformation(entry);
          if (!info.ok()) {
            ++state.summary.tpm.invalid;
            state.Skip(entry.dn, info.status().code() == ErrorCode::kNotFound
                                     ? "msTPM-OwnerInformation is missing, or the bind account "
                                       "may not read it: " +
                                           ConfidentialHelp("msTPM-OwnerInformation", container)
                                     : info.status().message());
            return Status::Ok();
          }
          for (const Computer* computer : computers->second) {
            ++state.summary.tpm.read;
            tpm.Add({.computer = ComputerOf(*computer),
                     .owner_auth = info->owner_information.Clone(),
                     .changed_at = info->changed_at},
                    entry.dn);
          }
          if (tpm.full()) {
            LOCKBOX_RETURN_IF_ERROR(
                Flush(tpm, state.summary.tpm, state.summary, sink_ != nullptr, write));
          }
          state.Progress();
          return Status::Ok();
        });
    if (!searched.ok()) {
      state.Skip(container,
                 "the TPM information objects there cannot be read: " + searched.message());
    }
  }
  for (const auto& [key, computers] : linked) {
    // An incremental pass sees only the TPM objects that changed.
    if (seen.count(key) != 0 || state.changed_after) continue;
    for (const Computer* computer : computers) {
      state.Skip(computer->dn, "its TPM information object " + computer->tpm_object_dn +
                                   " was not found, or the bind account may not read it");
    }
  }
  return Flush(tpm, state.summary.tpm, state.summary, sink_ != nullptr, write);
}

Result<std::map<std::string, std::string>> Importer::FindAccounts(
    State& state, const std::string& base, std::vector<std::string> clauses,
    const std::function<std::string(const ldap::Entry&)>& key_of) {
  std::sort(clauses.begin(), clauses.end());
  clauses.erase(std::unique(clauses.begin(), clauses.end()), clauses.end());
  std::map<std::string, std::string> account_of;
  for (size_t first = 0; first < clauses.size(); first += kUsersPerSearch) {
    std::string filter = "(|";
    for (size_t i = first; i < clauses.size() && i < first + kUsersPerSearch; ++i) {
      filter += clauses[i];
    }
    filter += ")";
    LOCKBOX_RETURN_IF_ERROR(directory_.Search(
        {.base = base,
         .scope = ldap::Scope::kSubtree,
         .filter = filter,
         .attributes = {"sAMAccountName", "objectClass", "objectSid"},
         .secret_attributes = {},
         .page_size = state.options.page_size},
        [&](ldap::Entry entry) {
          const std::string* account = entry.First("sAMAccountName");
          bool is_user = false;
          if (const auto classes = entry.values.find("objectclass");
              classes != entry.values.end()) {
            for (const std::string& c : classes->second) {
              // Computers are users too in AD's schema; a computer is no person.
              if (LowerAscii(c) == "user") is_user = true;
              if (LowerAscii(c) == "computer") is_user = false;
            }
          }
          account_of[key_of(entry)] =
              is_user && account != nullptr ? state.netbios_domain + "\\" + *account : "";
          return Status::Ok();
        }));
  }
  return account_of;
}

Status Importer::LinkUsers(State& state) {
  // The managedBy DNs and the owner SIDs, looked up in the domain a few at a time.
  std::vector<std::string> dns;
  std::vector<std::string> sids;
  for (const auto& [key, computer] : state.computers) {
    if (!state.Changed(computer)) continue;
    if (!computer.managed_by.empty()) {
      dns.push_back("(distinguishedName=" + ldap::EscapeFilterValue(computer.managed_by) + ")");
    }
    if (!computer.owner_sid.empty()) {
      sids.push_back("(objectSid=" + ldap::EscapeFilterValue(computer.owner_sid) + ")");
    }
  }
  const std::string base = state.default_naming_context.empty() ? state.options.search_base
                                                                : state.default_naming_context;
  LOCKBOX_ASSIGN_OR_RETURN(const auto account_of_dn,
                           FindAccounts(state, base, std::move(dns), [](const ldap::Entry& entry) {
                             return ldap::DnKey(entry.dn);
                           }));
  LOCKBOX_ASSIGN_OR_RETURN(const auto account_of_sid,
                           FindAccounts(state, base, std::move(sids), [](const ldap::Entry& entry) {
                             const std::string* sid = entry.First("objectSid");
                             return sid != nullptr ? *sid : std::string();
                           }));

  Batch<service::MigratedComputerUsers> users;
  const auto write = [&](const auto& items) { return sink_->WriteComputerUsers(items); };
  for (const auto& [key, computer] : state.computers) {
    if (!state.Changed(computer)) continue;
    std::vector<std::string> names;
    if (!computer.managed_by.empty()) {
      const auto account = account_of_dn.find(ldap::DnKey(computer.managed_by));
      if (account == account_of_dn.end()) {
        state.Skip(computer.dn,
                   "managedBy names " + computer.managed_by + ", which was not found in " + base);
      } else if (account->second.empty()) {
        state.Skip(computer.dn, "managedBy names " + computer.managed_by +
                                    ", which is not a user (only users are linked to computers)");
      } else {
        names.push_back(account->second);
      }
    }
    // An owner that is no user (Domain Admins, when an admin joined the computer) or not in
    // the domain is the usual case, not a problem to report.
    if (const auto owner = account_of_sid.find(computer.owner_sid);
        !computer.owner_sid.empty() && owner != account_of_sid.end() && !owner->second.empty() &&
        std::find(names.begin(), names.end(), owner->second) == names.end()) {
      names.push_back(owner->second);
    }
    if (names.empty()) continue;
    ++state.summary.users.read;
    users.Add({.computer = ComputerOf(computer), .users = std::move(names)}, computer.dn);
    if (users.full()) {
      LOCKBOX_RETURN_IF_ERROR(
          Flush(users, state.summary.users, state.summary, sink_ != nullptr, write));
    }
  }

  // The CSV file's lines, for computers read from the directory (by name, ignoring case).
  std::map<std::string, std::vector<const Computer*>> by_name;
  for (const auto& [key, computer] : state.computers) {
    by_name[LowerAscii(computer.name)].push_back(&computer);
  }
  for (const ComputerUsersLine& line : state.options.users_csv) {
    const std::string where = state.options.users_csv_name + " line " + std::to_string(line.line);
    if (!line.problem.empty()) {
      state.Skip(where, line.problem);
      continue;
    }
    const auto named = by_name.find(LowerAscii(line.computer));
    if (named == by_name.end() || named->second.size() != 1) {
      state.Skip(where, named == by_name.end()
                            ? line.computer + " is not among the computers read below " +
                                  state.options.search_base
                            : "several computers read are named " + line.computer);
      continue;
    }
    ++state.summary.users.read;
    users.Add({.computer = ComputerOf(*named->second.front()), .users = line.users}, where);
    if (users.full()) {
      LOCKBOX_RETURN_IF_ERROR(
          Flush(users, state.summary.users, state.summary, sink_ != nullptr, write));
    }
  }
  return Flush(users, state.summary.users, state.summary, sink_ != nullptr, write);
}

}  // namespace lockbox::ad
