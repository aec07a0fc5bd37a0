#include "service/computers.h"

namespace lockbox::service {

Result<store::Computer> ComputerOfVolume(store::Store& store, const Guid& volume_id) {
  LOCKBOX_ASSIGN_OR_RETURN(const store::Volume volume, store.GetVolume(volume_id));
  return store.GetComputer(volume.computer_id);
}

std::string AuditName(const store::Computer& computer) {
  return computer.name + " (" + computer.id.ToString() + ")";
}

}  // namespace lockbox::service
