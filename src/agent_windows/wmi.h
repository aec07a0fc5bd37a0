// Wmi: the Windows Management Instrumentation calls the Windows provider makes, as JSON.
//
// A WMI object (an instance's properties, a method's in- or out-parameters) is a JSON object:
// strings, numbers (uint8..uint32, sint32), booleans, arrays of those, null for an empty value.
// The COM side (wmi_com_windows.cc, compiled only for Windows) converts VARIANTs both ways;
// the tests replay answers written down in that form, so everything above this seam (what
// the answers mean, which call follows which, the return codes) runs on Linux too.
//
//   LOCKBOX_ASSIGN_OR_RETURN(auto volumes, wmi.Query(kVolumeNamespace,
//       "SELECT DeviceID, DriveLetter FROM Win32_EncryptableVolume"));
//   LOCKBOX_ASSIGN_OR_RETURN(nlohmann::json out, wmi.Call(kVolumeNamespace,
//       VolumePath(device_id), "GetKeyProtectors", {{"KeyProtectorType", 0}}));
//   // out["ReturnValue"] is the method's return code; out["VolumeKeyProtectorID"] its answer.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace lockbox::agent {

inline constexpr char kVolumeNamespace[] = R"(ROOT\CIMV2\Security\MicrosoftVolumeEncryption)";
inline constexpr char kTpmNamespace[] = R"(ROOT\CIMV2\Security\MicrosoftTpm)";
inline constexpr char kSystemNamespace[] = R"(ROOT\CIMV2)";

class Wmi {
 public:
  virtual ~Wmi() = default;
  // The instances a WQL query selects, each as its properties.
  virtual Result<std::vector<nlohmann::json>> Query(const std::string& wmi_namespace,
                                                    const std::string& wql) = 0;
  // Calls `method` of the object at `object_path` (an instance's relative path, or a class
  // name) with the in-parameters `in`; returns the out-parameters, ReturnValue among them.
  // A failure of WMI itself (no such namespace, access denied) is an error here; what the
  // method returns is the caller's to judge.
  virtual Result<nlohmann::json> Call(const std::string& wmi_namespace,
                                      const std::string& object_path, const std::string& method,
                                      const nlohmann::json& in) = 0;
};

// Connects to WMI on this machine (COM, as the agent's service account). Windows only.
Result<std::unique_ptr<Wmi>> OpenWmi();

}  // namespace lockbox::agent
