#include "agent/rotation.h"

#include <algorithm>

#include "recovery/key_id.h"

namespace lockbox::agent {
namespace {

std::string Short(const Guid& id) { return recovery::ShortKeyId(id); }

const VolumeInfo* VolumeOf(const std::vector<VolumeInfo>& volumes, const Guid& id) {
  for (const VolumeInfo& v : volumes) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

const ProtectorInfo* ProtectorOn(const VolumeInfo& volume, const Guid& id) {
  for (const ProtectorInfo& p : volume.protectors) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

void Queue(AgentState& state, const Guid& key_id, const Guid& volume_id,
           const crypto::SecretBytes& password) {
  for (const QueuedKey& q : state.queue) {
    if (q.key_id == key_id) return;
  }
  state.queue.push_back({.key_id = key_id,
                         .volume_id = volume_id,
                         .password = password.Clone(),
                         .created_at = "",
                         .attempts = 0});
}

// kPlanned -> kAdded.
Status Add(Rotation& r, AgentState& state, Provider& provider, const LogFn& log) {
  // A kill after the provider added the protector but before the state said so: the
  // protector is there, holding the saved password.
  LOCKBOX_ASSIGN_OR_RETURN(const auto passwords, provider.RecoveryPasswords());
  std::optional<Guid> existing;
  for (const RecoveryPasswordInfo& p : passwords) {
    if (p.volume_id == r.volume_id &&
        crypto::ConstantTimeEqual(p.password.span(), r.new_password.span())) {
      existing = p.key_id;
    }
  }
  if (existing) {
    log("rotation of " + Short(r.old_key_id) + ": the new protector " + Short(*existing) +
        " was added before a restart");
  } else {
    LOCKBOX_ASSIGN_OR_RETURN(
        recovery::RecoveryPassword password,
        recovery::RecoveryPassword::Parse(std::string_view(
            reinterpret_cast<const char*>(r.new_password.data()), r.new_password.size())));
    LOCKBOX_ASSIGN_OR_RETURN(existing, provider.AddRecoveryPassword(r.volume_id, password));
    log("rotation of " + Short(r.old_key_id) + ": added recovery-password protector " +
        Short(*existing) + " to volume " + r.volume_id.ToString());
  }
  r.new_key_id = existing;
  r.step = RotationStep::kAdded;
  Queue(state, *existing, r.volume_id, r.new_password);
  return Status::Ok();
}

// kEscrowed -> done. True when the rotation is finished.
Result<bool> DeleteOld(const Rotation& r, AgentState& state, Provider& provider, const LogFn& log) {
  LOCKBOX_ASSIGN_OR_RETURN(const auto volumes, provider.Volumes());
  const VolumeInfo* volume = VolumeOf(volumes, r.volume_id);
  if (volume == nullptr) {
    log("rotation of " + Short(r.old_key_id) + ": volume " + r.volume_id.ToString() +
        " is gone; nothing to delete");
    return true;
  }
  if (!r.new_key_id || ProtectorOn(*volume, *r.new_key_id) == nullptr) {
    // Never delete the old one without its escrowed replacement in place.
    return Status::Internal("rotation of " + Short(r.old_key_id) +
                            ": the new protector is not on the volume; the old one is kept");
  }
  const ProtectorInfo* old = ProtectorOn(*volume, r.old_key_id);
  if (old != nullptr) {
    if (old->type != "recovery_password") {
      return Status::Internal("rotation of " + Short(r.old_key_id) +
                              ": that protector is no recovery password; it is kept");
    }
    const Status deleted = provider.DeleteProtector(r.volume_id, r.old_key_id);
    if (!deleted.ok() && deleted.code() != ErrorCode::kNotFound) return deleted;
    log("rotation of " + Short(r.old_key_id) + ": deleted the disclosed protector; " +
        Short(*r.new_key_id) + " replaces it");
  }
  state.escrowed.erase(r.old_key_id.ToString());
  return true;
}

}  // namespace

Result<bool> PlanRotation(AgentState& state, const Guid& old_key_id,
                          const std::vector<VolumeInfo>& volumes, const Provider& provider,
                          const LogFn& log) {
  for (const Rotation& r : state.rotations) {
    if (r.old_key_id == old_key_id) return false;
  }
  const VolumeInfo* volume = nullptr;
  for (const VolumeInfo& v : volumes) {
    if (const ProtectorInfo* p = ProtectorOn(v, old_key_id); p && p->type == "recovery_password") {
      volume = &v;
    }
  }
  if (volume == nullptr) {
    log("the server asks to rotate " + Short(old_key_id) +
        ", which is no recovery-password protector on this computer");
    return false;
  }
  if (!provider.CanRotate()) {
    log("the server asks to rotate " + Short(old_key_id) + " (it was disclosed), but the " +
        provider.name() + " provider cannot change protectors: rotate it by hand");
    return false;
  }
  LOCKBOX_ASSIGN_OR_RETURN(recovery::RecoveryPassword password,
                           recovery::RecoveryPassword::Generate());
  std::string text = password.ToString();
  Rotation rotation{.volume_id = volume->id,
                    .old_key_id = old_key_id,
                    .step = RotationStep::kPlanned,
                    .new_password = crypto::SecretBytes(std::span<const uint8_t>(
                        reinterpret_cast<const uint8_t*>(text.data()), text.size())),
                    .new_key_id = std::nullopt};
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  state.rotations.push_back(std::move(rotation));
  log("rotation of " + Short(old_key_id) + " planned (the server asked: it was disclosed)");
  return true;
}

Status AdvanceRotations(AgentState& state, Provider& provider, const LogFn& log, bool* changed) {
  for (size_t i = 0; i < state.rotations.size();) {
    Rotation& r = state.rotations[i];
    if (r.step == RotationStep::kPlanned) {
      LOCKBOX_RETURN_IF_ERROR(Add(r, state, provider, log));
      *changed = true;
    }
    if (r.step == RotationStep::kEscrowed) {
      LOCKBOX_ASSIGN_OR_RETURN(const bool done, DeleteOld(r, state, provider, log));
      if (done) {
        state.rotations.erase(state.rotations.begin() + static_cast<ptrdiff_t>(i));
        *changed = true;
        continue;
      }
    }
    ++i;
  }
  return Status::Ok();
}

void OnAcknowledged(AgentState& state, const Guid& key_id) {
  for (Rotation& r : state.rotations) {
    if (r.step == RotationStep::kAdded && r.new_key_id == key_id) r.step = RotationStep::kEscrowed;
  }
}

}  // namespace lockbox::agent
