#include "agent_cli/platform.h"

#include <windows.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "agent/agent_config.h"
#include "agent/group_policy.h"
#include "agent/private_file.h"
#include "agent_windows/registry.h"
#include "agent_windows/windows_provider.h"
#include "util/win32.h"

namespace lockbox::agent {
namespace {

constexpr wchar_t kServiceName[] = L"LockboxAgent";
constexpr wchar_t kDisplayName[] = L"Lockbox agent";
constexpr wchar_t kDescription[] =
    L"Escrows this computer's BitLocker recovery passwords with the Lockbox server and "
    L"replaces a disclosed one.";

// --service configure's values (the MSI's properties SERVER_URL, ENROLLMENT_TOKEN, CA_FILE).
struct Setup {
  std::string server_url;
  std::string enrollment_token;
  std::string ca_file;
} setup;

// The service's run: kept for ServiceMain, which the control manager calls without arguments.
const AgentCommand* service_command = nullptr;
SERVICE_STATUS_HANDLE service_handle = nullptr;

void Report(DWORD state, DWORD exit_code = NO_ERROR) {
  SERVICE_STATUS status{};
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
  status.dwServiceSpecificExitCode = exit_code;
  status.dwWaitHint = state == SERVICE_STOP_PENDING ? 30000 : 0;
  SetServiceStatus(service_handle, &status);
}

DWORD WINAPI Control(DWORD control, DWORD, void*, void*) {
  if (control == SERVICE_CONTROL_STOP || control == SERVICE_CONTROL_SHUTDOWN) {
    Report(SERVICE_STOP_PENDING);
    RequestAgentStop();  // the loop stops between steps: nothing half-written
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI ServiceMain(DWORD, wchar_t**) {
  service_handle = RegisterServiceCtrlHandlerExW(kServiceName, Control, nullptr);
  if (service_handle == nullptr) return;
  Report(SERVICE_RUNNING);
  const int code = RunAgentCommand(*service_command);
  Report(SERVICE_STOPPED, static_cast<DWORD>(code));
}

std::string ThisProgram() {
  std::array<wchar_t, 32768> path{};
  const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  return win32::Narrow(std::wstring_view(path.data(), n));
}

int Failed(const std::string& what) {
  std::cerr << "lockbox-agent: " << what << ": " << win32::ErrorText(GetLastError()) << "\n";
  return 1;
}

// A handle of the service control manager, closed at the end of its scope.
class ServiceHandle {
 public:
  explicit ServiceHandle(SC_HANDLE h) : h_(h) {}
  ~ServiceHandle() {
    if (h_ != nullptr) CloseServiceHandle(h_);
  }
  ServiceHandle(const ServiceHandle&) = delete;
  ServiceHandle& operator=(const ServiceHandle&) = delete;
  SC_HANDLE get() const { return h_; }

 private:
  SC_HANDLE h_;
};

// Installs the service as LocalSystem, started at boot, running this program with the same
// config and provider.
int Install(const AgentCommand& command) {
  ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
  if (manager.get() == nullptr)
    return Failed("cannot open the service control manager (run it as an administrator)");
  const std::string line = "\"" + ThisProgram() + "\" --config \"" + command.config_file +
                           "\" --provider " + command.provider + " --service run";
  ServiceHandle service(
      CreateServiceW(manager.get(), kServiceName, kDisplayName, SERVICE_ALL_ACCESS,
                     SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                     win32::Widen(line).c_str(), nullptr, nullptr, nullptr, nullptr, nullptr));
  if (service.get() == nullptr) return Failed("cannot install the service LockboxAgent");
  SERVICE_DESCRIPTIONW description{const_cast<wchar_t*>(kDescription)};
  ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION, &description);
  std::cout << "installed the service LockboxAgent: " << line << "\n";
  return 0;
}

int Uninstall() {
  ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (manager.get() == nullptr)
    return Failed("cannot open the service control manager (run it as an administrator)");
  ServiceHandle service(OpenServiceW(manager.get(), kServiceName, SERVICE_STOP | DELETE));
  if (service.get() == nullptr) return Failed("cannot open the service LockboxAgent");
  SERVICE_STATUS status{};
  ControlService(service.get(), SERVICE_CONTROL_STOP, &status);  // it may not be running
  if (!DeleteService(service.get())) return Failed("cannot remove the service LockboxAgent");
  std::cout << "removed the service LockboxAgent\n";
  return 0;
}

// Writes the config at --config for the installer: the server's URL, its CA copied beside the
// config as ca.pem, the enrollment token in the state folder (SYSTEM and Administrators only),
// then reads the config back as the service will.
int Configure(const AgentCommand& command) {
  if (setup.server_url.empty() || setup.enrollment_token.empty() || setup.ca_file.empty()) {
    std::cerr << "lockbox-agent: --service configure needs --server-url, --enrollment-token and "
                 "--ca-file\n";
    return 2;
  }
  // TOML basic strings: the URL must not carry quotes or backslashes.
  if (setup.server_url.find_first_of("\"\\") != std::string::npos) {
    std::cerr << "lockbox-agent: the server URL " << setup.server_url << " is not valid\n";
    return 2;
  }
  const std::filesystem::path config(win32::Widen(command.config_file));
  const std::filesystem::path folder = config.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  const std::string state = win32::Narrow((folder / L"state").wstring());
  if (Status s = EnsurePrivateFolder(state); !s.ok()) {
    std::cerr << "lockbox-agent: " << s.message() << "\n";
    return 1;
  }
  if (!CopyFileW(win32::Widen(setup.ca_file).c_str(), (folder / L"ca.pem").c_str(), FALSE)) {
    return Failed("cannot copy the CA file " + setup.ca_file);
  }
  std::ofstream(folder / L"state" / L"enrollment-token", std::ios::binary)
      << setup.enrollment_token << "\n";
  crypto::Wipe(
      {reinterpret_cast<uint8_t*>(setup.enrollment_token.data()), setup.enrollment_token.size()});
  std::ofstream(config, std::ios::binary)
      << "# Written by the Lockbox agent's installer (docs/agent.md).\n"
      << "server_url = \"" << setup.server_url << "\"\n"
      << "ca_file = \"ca.pem\"\n"
      << "enrollment_token_file = \"state/enrollment-token\"\n"
      << "state_dir = \"state\"\n";
  auto loaded = LoadAgentConfig(command.config_file);
  if (!loaded.ok()) {
    std::cerr << "lockbox-agent: " << loaded.status().message() << "\n";
    return 3;
  }
  std::cout << "wrote " << command.config_file << "\n";
  return 0;
}

}  // namespace

std::vector<std::string> AgentProviders() { return {"image", "simulated", "windows"}; }

void AddPlatformOptions(CLI::App& app, AgentCommand& command) {
  app.add_option("--service", command.service,
                 "configure: write --config from --server-url, --enrollment-token and "
                 "--ca-file (what the MSI runs); install: install the Windows service LockboxAgent "
                 "(LocalSystem, automatic "
                 "start) with this --config and --provider; uninstall: stop and remove it; "
                 "run: what the service control manager starts")
      ->check(CLI::IsMember({"configure", "install", "uninstall", "run"}));
  app.add_option("--server-url", setup.server_url, "configure: the Lockbox server's https URL");
  app.add_option("--enrollment-token", setup.enrollment_token, "configure: an enrollment token");
  app.add_option("--ca-file", setup.ca_file,
                 "configure: the PEM file of the CA that signed the server's certificate");
}

Result<std::unique_ptr<Provider>> OpenPlatformProvider(const AgentCommand& command) {
  if (command.provider != "windows") {
    return Status::InvalidArgument("unknown provider '" + command.provider + "'");
  }
  LOCKBOX_ASSIGN_OR_RETURN(std::unique_ptr<Wmi> wmi, OpenWmi());
  return std::unique_ptr<Provider>(
      std::make_unique<WindowsProvider>(std::move(wmi), bde::OpenBlockReader));
}

Status ApplyPlatformPolicy(AgentConfig& config) {
  LOCKBOX_ASSIGN_OR_RETURN(const PolicyValues values, ReadRegistryValues(kGroupPolicyKey));
  return ApplyGroupPolicy(values, config);
}

std::optional<int> RunPlatformCommand(const AgentCommand& command) {
  if (command.service.empty()) return std::nullopt;
  if (command.service == "configure") return Configure(command);
  if (command.service == "install") return Install(command);
  if (command.service == "uninstall") return Uninstall();
  service_command = &command;
  static const SERVICE_TABLE_ENTRYW kTable[] = {{const_cast<wchar_t*>(kServiceName), ServiceMain},
                                                {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(kTable)) {
    return Failed("--service run is for the service control manager: start the service instead");
  }
  return 0;
}

}  // namespace lockbox::agent
