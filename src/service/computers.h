// Small lookups the service's operations share.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

namespace lockbox::service {

// The computer a volume belongs to.
Result<store::Computer> ComputerOfVolume(store::Store& store, const Guid& volume_id);
// How the audit log names a computer: "PC-07 (0b1d7f1e-...)"; names alone are not unique.
std::string AuditName(const store::Computer& computer);

}  // namespace lockbox::service
