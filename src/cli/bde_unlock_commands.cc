// `lockbox bde verify | decrypt | mount`: the commands that need a key (docs/bde-decrypt.md).
//
// All three open the volume, read the keys the user gave (key_sources.h) and unlock; verify
// stops there, decrypt streams the plaintext to a file (parallel_copy.h, output_file.h) and
// mount serves it through FUSE (fuse_mount.h).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bde/block_reader.h"
#include "bde/decrypted_volume.h"
#include "bde/metadata.h"
#include "bde/unlock.h"
#include "bde/volume.h"
#include "cli/bde_commands.h"
#include "cli/exit_codes.h"
#include "cli/fuse_mount.h"
#include "cli/key_sources.h"
#include "cli/output_file.h"
#include "cli/parallel_copy.h"
#include "cli/progress.h"

namespace lockbox::cli {
namespace {

using nlohmann::json;

// Options every unlocking command has.
struct UnlockOptions {
  std::string image;
  KeySourceOptions keys;
  bool json = false;
};

void AddUnlockOptions(CLI::App& command, UnlockOptions* options) {
  command.add_option("IMAGE", options->image, "BitLocker volume: image file or block device")
      ->required();
  AddKeySourceOptions(command, &options->keys);
}

// An opened volume and, when a key fitted, its keys. `volume` lives on the heap because
// a DecryptedVolume is made from it and must not see it move.
struct Unlocked {
  std::unique_ptr<bde::Volume> volume;
  bde::VolumeKeys keys;
  std::vector<bde::UnlockAttempt> attempts;
};

json AttemptsJson(const std::vector<bde::UnlockAttempt>& attempts) {
  json list = json::array();
  for (const auto& a : attempts) {
    list.push_back({{"protector", a.protector_guid.ToString()},
                    {"type", bde::ProtectionTypeName(a.protection)},
                    {"outcome", a.outcome}});
  }
  return list;
}

void PrintAttempts(const std::vector<bde::UnlockAttempt>& attempts, std::ostream& out) {
  if (attempts.empty()) return;
  out << "protectors tried:\n";
  for (const auto& a : attempts) {
    out << "  " << a.protector_guid.ToString() << "  " << bde::ProtectionTypeName(a.protection)
        << ": " << a.outcome << "\n";
  }
}

bool HasClearKeyProtector(const bde::Volume& volume) {
  for (const auto& p : volume.metadata().protectors) {
    if (p.protection == static_cast<uint16_t>(bde::ProtectionType::kClearKey)) return true;
  }
  return false;
}

// Opens IMAGE and unlocks it with every key the user gave. On failure `attempts` still says
// what each protector did with the keys.
Status OpenAndUnlock(UnlockOptions& options, Unlocked* out) {
  LOCKBOX_ASSIGN_OR_RETURN(auto reader, bde::OpenBlockReader(options.image));
  LOCKBOX_ASSIGN_OR_RETURN(
      auto volume, bde::Volume::Open(std::shared_ptr<const bde::BlockReader>(std::move(reader))));
  out->volume = std::make_unique<bde::Volume>(std::move(volume));
  if (!options.keys.AnyGiven() && !HasClearKeyProtector(*out->volume)) {
    return Status::InvalidArgument(
        "no key given and the volume has no clear key: pass --recovery-password-file, "
        "--password, --password-file or --startup-key");
  }
  auto material = ReadKeyMaterial(options.keys, options.image);
  options.keys.WipeTyped();
  if (!material.ok()) return material.status();
  LOCKBOX_ASSIGN_OR_RETURN(out->keys, bde::Unlock(*out->volume, *material, &out->attempts));
  return Status::Ok();
}

json ProtectorJson(const bde::VolumeKeys& keys) {
  return {{"guid", keys.protector_guid.ToString()},
          {"type", bde::ProtectionTypeName(keys.protection)}};
}

std::string ProtectorText(const bde::VolumeKeys& keys) {
  return keys.protector_guid.ToString() + " (" + bde::ProtectionTypeName(keys.protection) + ")";
}

// ---- verify ----------------------------------------------------------------------------

int RunVerify(UnlockOptions& options) {
  Unlocked unlocked;
  const Status status = OpenAndUnlock(options, &unlocked);
  if (options.json) {
    json out = {{"image", options.image}, {"unlocked", status.ok()}};
    if (status.ok()) out["protector"] = ProtectorJson(unlocked.keys);
    out["attempts"] = AttemptsJson(unlocked.attempts);
    if (!status.ok()) {
      out["error"] = {{"code", ErrorCodeName(status.code())}, {"message", status.message()}};
    }
    std::cout << out.dump(2) << "\n";
    return ExitCodeFor(status);
  }
  if (!status.ok()) {
    PrintAttempts(unlocked.attempts, std::cerr);
    return ReportError(status, false);
  }
  std::cout << "unlocked by protector " << ProtectorText(unlocked.keys) << "\n";
  return kExitOk;
}

// ---- decrypt and mount -----------------------------------------------------------------

// Output that is not entirely correct plaintext must never pass for a normal result.
Status CheckCoverage(const bde::PlaintextCoverage& coverage, bool allow_partial) {
  if (coverage.complete || allow_partial) return Status::Ok();
  std::string explanation = coverage.explanation;
  if (!explanation.empty() && explanation.back() != '.') explanation += '.';
  return Status::Unsupported("the volume is " + coverage.state + ". " + explanation +
                             " Pass --allow-partial to produce it anyway; the output then "
                             "holds plaintext only where reported.");
}

// The byte ranges of the output: decrypted, and copied unchanged from the image (sectors at
// or beyond the encrypted size). Empty ranges are left out.
struct OutputRanges {
  uint64_t decrypted_end;
  uint64_t size_bytes;
};

OutputRanges RangesOf(const bde::PlaintextCoverage& coverage, uint64_t size_bytes) {
  return {std::min(coverage.encrypted_size_bytes, size_bytes), size_bytes};
}

json CoverageJson(const bde::PlaintextCoverage& coverage, uint64_t size_bytes) {
  const OutputRanges ranges = RangesOf(coverage, size_bytes);
  json out = {{"complete", coverage.complete}, {"state", coverage.state}};
  if (ranges.decrypted_end > 0) out["decrypted_range"] = {0, ranges.decrypted_end};
  if (ranges.decrypted_end < size_bytes) {
    out["copied_unchanged_range"] = {ranges.decrypted_end, size_bytes};
  }
  if (!coverage.explanation.empty()) out["explanation"] = coverage.explanation;
  return out;
}

void PrintCoverage(const bde::PlaintextCoverage& coverage, uint64_t size_bytes) {
  if (coverage.complete) {
    std::cerr << "volume state: " << coverage.state << "; the output is the complete plaintext\n";
    return;
  }
  const OutputRanges ranges = RangesOf(coverage, size_bytes);
  std::cerr << "WARNING: INCOMPLETE PLAINTEXT. The volume is " << coverage.state << ".\n"
            << "  " << coverage.explanation << "\n";
  if (ranges.decrypted_end > 0) {
    std::cerr << "  bytes [0, " << ranges.decrypted_end << ") were decrypted\n";
  }
  if (ranges.decrypted_end < size_bytes) {
    std::cerr << "  bytes [" << ranges.decrypted_end << ", " << size_bytes
              << ") were copied unchanged from the image\n";
  }
}

// Set by SIGINT/SIGTERM/SIGHUP so an interrupted decrypt stops and removes its partial output.
std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

// Installs the handlers for the duration of a copy; the previous ones come back afterwards.
class InterruptGuard {
 public:
  InterruptGuard() {
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &saved_[i]);
    // A closed pipe then shows up as EPIPE from write(), reported and cleaned up.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &saved_pipe_);
  }
  ~InterruptGuard() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &saved_[i], nullptr);
    sigaction(SIGPIPE, &saved_pipe_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> saved_{};
  struct sigaction saved_pipe_ {};
};

struct DecryptOptions {
  UnlockOptions unlock;
  std::string output;
  bool force = false;
  bool allow_partial = false;
  unsigned threads = 0;  // 0: one per core
};

// Unlocks and builds the plaintext view shared by decrypt and mount.
Status OpenPlaintext(UnlockOptions& options, bool allow_partial, Unlocked* unlocked,
                     std::unique_ptr<bde::DecryptedVolume>* plaintext) {
  const Status status = OpenAndUnlock(options, unlocked);
  if (!status.ok()) {
    if (!options.json) PrintAttempts(unlocked->attempts, std::cerr);
    return status;
  }
  LOCKBOX_ASSIGN_OR_RETURN(*plaintext,
                           bde::DecryptedVolume::Create(*unlocked->volume, unlocked->keys));
  return CheckCoverage((*plaintext)->coverage(), allow_partial);
}

// Sends what would go to std::cout to stderr while alive: with `-o -` stdout carries the
// volume (written to fd 1 directly), so JSON reports and errors must not mix into it.
class CoutToCerr {
 public:
  CoutToCerr() : saved_(std::cout.rdbuf(std::cerr.rdbuf())) {}
  ~CoutToCerr() { std::cout.rdbuf(saved_); }
  CoutToCerr(const CoutToCerr&) = delete;
  CoutToCerr& operator=(const CoutToCerr&) = delete;

 private:
  std::streambuf* saved_;
};

int RunDecrypt(DecryptOptions& options) {
  const bool json_out = options.unlock.json;
  std::optional<CoutToCerr> report_on_stderr;
  if (options.output == "-") report_on_stderr.emplace();
  // The output is checked first, so nobody types a password only to hear that it exists.
  auto opened = OutputFile::Open(options.output, options.force);
  if (!opened.ok()) return ReportError(opened.status(), json_out);
  std::optional<OutputFile> output(std::move(opened).value());
  Unlocked unlocked;
  std::unique_ptr<bde::DecryptedVolume> plaintext;
  if (Status s = OpenPlaintext(options.unlock, options.allow_partial, &unlocked, &plaintext);
      !s.ok()) {
    output.reset();  // removes the temporary file before the error is shown
    return ReportError(s, json_out);
  }

  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t total = plaintext->size_bytes();
  const auto start = std::chrono::steady_clock::now();
  Status copied;
  {
    InterruptGuard interrupts;
    ProgressBar progress(total, stderr, isatty(STDERR_FILENO) != 0);
    ParallelCopyOptions copy;
    copy.threads = threads;
    copy.on_progress = [&progress](uint64_t done) { progress.Update(done); };
    copy.cancel = &g_interrupted;
    copied = ParallelCopy(*plaintext, output->fd(), copy);
    if (copied.ok()) copied = output->Commit();
    if (copied.ok()) progress.Finish(total);
  }
  if (!copied.ok()) {
    // Destroying `output` removes the temporary file before the error is shown.
    const std::string name = output->display_name();
    output.reset();
    return ReportError(copied.WithContext(name), json_out);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bde::PlaintextCoverage& coverage = plaintext->coverage();
  if (json_out) {
    json out = {{"image", options.unlock.image},
                {"output", output->display_name()},
                {"size_bytes", total},
                {"seconds", seconds},
                {"threads", threads},
                {"protector", ProtectorJson(unlocked.keys)},
                {"coverage", CoverageJson(coverage, total)}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %.0f MB/s", seconds,
                seconds > 0 ? static_cast<double>(total) / seconds / 1e6 : 0.0);
  std::cerr << "unlocked by protector " << ProtectorText(unlocked.keys) << "\n"
            << "wrote " << total << " bytes to " << output->display_name() << " (" << rate << ", "
            << threads << " threads)\n";
  PrintCoverage(coverage, total);
  return kExitOk;
}

struct MountCommandOptions {
  UnlockOptions unlock;
  MountOptions mount;
  bool allow_partial = false;
};

int RunMount(MountCommandOptions& options) {
  Unlocked unlocked;
  std::unique_ptr<bde::DecryptedVolume> plaintext;
  if (Status s = OpenPlaintext(options.unlock, options.allow_partial, &unlocked, &plaintext);
      !s.ok()) {
    return ReportError(s, false);
  }
  std::cerr << "unlocked by protector " << ProtectorText(unlocked.keys) << "\n";
  PrintCoverage(plaintext->coverage(), plaintext->size_bytes());
  std::cerr << "serving " << options.mount.mountpoint << "/" << options.mount.file_name
            << " (read-only); unmount with: fusermount3 -u " << options.mount.mountpoint << "\n";
  if (Status s = ServeAsFile(*plaintext, options.mount); !s.ok()) return ReportError(s, false);
  return kExitOk;
}

void AddPartialFlag(CLI::App& command, bool* allow_partial) {
  command.add_flag("--allow-partial", *allow_partial,
                   "Proceed when the plaintext cannot be guaranteed everywhere (a conversion was "
                   "running when the image was taken); the report says which bytes were decrypted");
}

}  // namespace

void AddBdeUnlockCommands(CLI::App& bde, int* exit_code) {
  {
    auto options = std::make_shared<UnlockOptions>();
    CLI::App* verify = bde.add_subcommand(
        "verify", "Check that a key opens the volume and name the protector it opened");
    AddUnlockOptions(*verify, options.get());
    verify->add_flag("--json", options->json, "Machine-readable output on stdout");
    verify->callback([options, exit_code] { *exit_code = RunVerify(*options); });
  }
  {
    auto options = std::make_shared<DecryptOptions>();
    CLI::App* decrypt =
        bde.add_subcommand("decrypt", "Write the decrypted volume to a file, a device or stdout");
    AddUnlockOptions(*decrypt, &options->unlock);
    decrypt
        ->add_option("-o,--output", options->output,
                     "Output file (\"-\" = stdout); written atomically")
        ->required();
    decrypt->add_flag("--force", options->force,
                      "Replace an existing output file, or overwrite a block device");
    decrypt->add_option("--threads", options->threads, "Decryption threads (default: one per core)")
        ->check(CLI::Range(1, 1024));
    AddPartialFlag(*decrypt, &options->allow_partial);
    decrypt->add_flag("--json", options->unlock.json,
                      "Report as JSON (on stdout, or on stderr when the output is stdout)");
    decrypt->callback([options, exit_code] { *exit_code = RunDecrypt(*options); });
  }
  {
    auto options = std::make_shared<MountCommandOptions>();
    CLI::App* mount = bde.add_subcommand(
        "mount", "Expose the decrypted volume read-only as MOUNTPOINT/bde.img (FUSE)");
    AddUnlockOptions(*mount, &options->unlock);
    mount->add_option("MOUNTPOINT", options->mount.mountpoint, "An existing empty folder")
        ->required();
    mount->add_flag("-f,--foreground", options->mount.foreground,
                    "Stay in the foreground until unmounted");
    AddPartialFlag(*mount, &options->allow_partial);
    mount->callback([options, exit_code] { *exit_code = RunMount(*options); });
  }
}

}  // namespace lockbox::cli
