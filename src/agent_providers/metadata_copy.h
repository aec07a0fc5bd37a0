// The FVE metadata copy a provider sends with a new key (agent::MetadataCopy): the 64 KiB from
// the copy bde::Volume::Open found valid, or less at the end of the volume. Shared by the image
// provider and the Windows provider (which reads \\.\C: the same way).
#pragma once

#include "agent/provider.h"
#include "bde/volume.h"

namespace lockbox::agent {

Result<MetadataCopy> ReadMetadataCopy(const bde::Volume& volume);

}  // namespace lockbox::agent
