// Rotation: replacing a disclosed recovery password without ever leaving the volume without
// an escrowed one, as steps that survive a kill between any two of them.
//
//   server's answer lists the key in `rotate`  -> PlanRotation: new password saved (kPlanned)
//   AdvanceRotations, kPlanned                 -> provider adds the protector; new key queued
//                                                 (kAdded). A protector holding the saved
//                                                 password already (a kill after the add) is
//                                                 taken as added, never added twice.
//   the report carrying the new key is answered -> kEscrowed (OnAcknowledged)
//   AdvanceRotations, kEscrowed                 -> the old protector is deleted, the rotation
//                                                 done. Only a recovery-password protector, only
//                                                 the one the server named, only when the new
//                                                 protector is on the volume.
// The caller saves the state after each call that changed it, before doing anything else.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/agent_state.h"
#include "agent/provider.h"

namespace lockbox::agent {

using LogFn = std::function<void(const std::string& line)>;

// Starts rotating `old_key_id` of `volume` unless a rotation of it is under way. False (and a
// log line) when the provider cannot rotate or the key is on none of `volumes`.
Result<bool> PlanRotation(AgentState& state, const Guid& old_key_id,
                          const std::vector<VolumeInfo>& volumes, const Provider& provider,
                          const LogFn& log);

// Performs the provider's part of every rotation that has one to do (kPlanned, kEscrowed).
// Sets *changed when the state changed. Stops at the first provider failure (the rotation
// stays at its step and is tried again at the next cycle).
Status AdvanceRotations(AgentState& state, Provider& provider, const LogFn& log, bool* changed);

// The server acknowledged `key_id`: a rotation waiting for it moves to kEscrowed.
void OnAcknowledged(AgentState& state, const Guid& key_id);

}  // namespace lockbox::agent
