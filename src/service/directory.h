// The computer directory: finding computers and seeing what Lockbox knows of them, without
// any secret.
//
//   service::DirectoryService directory(store);
//   LOCKBOX_ASSIGN_OR_RETURN(service::ComputerSearch found, directory.SearchComputers(actor,
//   "pc-07")); LOCKBOX_ASSIGN_OR_RETURN(service::ComputerRecord record,
//                            directory.ComputerDetails(actor, found.computers[0].id));
//
// Advanced helpdesk, admins and report readers search and open any computer; a self-service
// user lists only their own (ComputersOfUser). Keys appear as metadata (state, verification,
// dates); secrets come only from RecoveryService, audited.
#pragma once

#include <string_view>
#include <vector>

#include "service/roles.h"
#include "store/store.h"

namespace lockbox::service {

inline constexpr size_t kMaxSearchResults = 100;

struct ComputerSearch {
  std::vector<store::Computer> computers;  // by name, at most kMaxSearchResults
  bool truncated = false;                  // more matched: type more of the name
};

struct VolumeRecord {
  store::Volume volume;                  // with its protectors
  std::vector<store::RecoveryKey> keys;  // retired ones included, by key ID
};

// What Lockbox knows of one computer.
struct ComputerRecord {
  store::Computer computer;
  std::vector<VolumeRecord> volumes;
  std::vector<store::ComputerUser> users;
};

// A self-service user's computer: enough to pick the right one, no key.
struct OwnComputer {
  store::Computer computer;
  std::vector<store::Volume> volumes;
};

class DirectoryService {
 public:
  // `store` must outlive the service.
  explicit DirectoryService(store::Store& store) : store_(store) {}

  // Computers whose name starts with `query`, or one of whose volumes' descriptions has a word
  // starting with it ("backup" finds "PC-07 BACKUP 6/7/2023"), ignoring ASCII case. `query` is
  // one word (white space around it is ignored); kInvalidArgument otherwise.
  Result<ComputerSearch> SearchComputers(const Actor& actor, std::string_view query);
  // The computer with its volumes, their keys, and its users. kNotFound when there is none.
  Result<ComputerRecord> ComputerDetails(const Actor& actor, const Guid& computer_id);
  // The computers the actor (a self-service user) is a known user of, with their volumes.
  Result<std::vector<OwnComputer>> ComputersOfUser(const Actor& actor);

 private:
  store::Store& store_;
};

}  // namespace lockbox::service
