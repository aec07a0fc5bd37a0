#include "service/directory.h"

#include <algorithm>

#include "service/computers.h"
#include "service/escrow_writes.h"
#include "util/ascii.h"

namespace lockbox::service {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Result<ComputerSearch> DirectoryService::SearchComputers(const Actor& actor,
                                                         std::string_view query) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kBrowseComputers));
  while (!query.empty() && IsSpace(query.front())) query.remove_prefix(1);
  while (!query.empty() && IsSpace(query.back())) query.remove_suffix(1);
  if (query.empty()) {
    return Status::InvalidArgument(
        "the search is empty: type the beginning of a computer name, or a word of a drive's "
        "description");
  }
  LOCKBOX_RETURN_IF_ERROR(CheckText("the search", query, true));
  if (std::any_of(query.begin(), query.end(), IsSpace)) {
    return Status::InvalidArgument(
        "the search has several words: type one, the beginning of a computer name or a word "
        "of a drive's description");
  }
  LOCKBOX_ASSIGN_OR_RETURN(auto computers, store_.SearchComputers(query, kMaxSearchResults + 1));
  ComputerSearch found;
  found.truncated = computers.size() > kMaxSearchResults;
  if (found.truncated) computers.resize(kMaxSearchResults);
  found.computers = std::move(computers);
  return found;
}

Result<ComputerRecord> DirectoryService::ComputerDetails(const Actor& actor,
                                                         const Guid& computer_id) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kBrowseComputers));
  ComputerRecord record;
  LOCKBOX_ASSIGN_OR_RETURN(record.computer, store_.GetComputer(computer_id));
  LOCKBOX_ASSIGN_OR_RETURN(auto volumes, store_.ListVolumes(computer_id));
  for (store::Volume& volume : volumes) {
    LOCKBOX_ASSIGN_OR_RETURN(auto keys, store_.ListRecoveryKeys(volume.id));
    record.volumes.push_back({std::move(volume), std::move(keys)});
  }
  LOCKBOX_ASSIGN_OR_RETURN(record.users, store_.ListComputerUsers(computer_id));
  return record;
}

Result<std::vector<OwnComputer>> DirectoryService::ComputersOfUser(const Actor& actor) {
  LOCKBOX_RETURN_IF_ERROR(Authorize(actor, Operation::kListOwnComputers));
  LOCKBOX_ASSIGN_OR_RETURN(const auto ids, store_.FindComputersByUser(LowerAscii(actor.name)));
  std::vector<OwnComputer> own;
  for (const Guid& id : ids) {
    OwnComputer computer;
    LOCKBOX_ASSIGN_OR_RETURN(computer.computer, store_.GetComputer(id));
    LOCKBOX_ASSIGN_OR_RETURN(computer.volumes, store_.ListVolumes(id));
    own.push_back(std::move(computer));
  }
  return own;
}

}  // namespace lockbox::service
