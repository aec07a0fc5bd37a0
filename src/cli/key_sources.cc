#include "cli/key_sources.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "bde/startup_key.h"

namespace lockbox::cli {
namespace {

// A recovery-password file holds a few lines; a .BEK file is a few hundred bytes. The caps
// keep a wrong path (a disk image, /dev/zero) from filling memory.
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr size_t kMaxPromptedPasswordBytes = 1024;

std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool IsLineSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }

// Restores the terminal's echo on every path out of the prompt.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Status AddPassword(std::span<const uint8_t> utf8, std::vector<bde::KeyMaterial>* keys) {
  LOCKBOX_ASSIGN_OR_RETURN(auto key, bde::KeyMaterial::FromPassword(AsText(utf8)));
  keys->push_back(std::move(key));
  return Status::Ok();
}

}  // namespace

Result<crypto::SecretBytes> PromptSecret(std::string_view prompt,
                                         std::string_view without_terminal) {
  const int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) {
    return Status::InvalidArgument(std::string(without_terminal));
  }
  crypto::SecretBytes buffer(kMaxPromptedPasswordBytes);
  size_t length = 0;
  bool overflow = false;
  {
    EchoOff echo_off(tty);
    if (write(tty, prompt.data(), prompt.size()) < 0) {
      close(tty);
      return Status::IoError("cannot write the password prompt to the terminal");
    }
    for (;;) {
      uint8_t c = 0;
      const ssize_t n = read(tty, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || c == '\n' || c == '\r') break;
      if (length == buffer.size()) {
        overflow = true;
        continue;
      }
      buffer[length++] = c;
    }
    (void)!write(tty, "\n", 1);
  }
  close(tty);
  if (overflow) {
    return Status::InvalidArgument("the password typed is longer than " +
                                   std::to_string(kMaxPromptedPasswordBytes) + " bytes");
  }
  return crypto::SecretBytes(buffer.span().first(length));
}

bool KeySourceOptions::AnyGiven() const {
  return !recovery_passwords.empty() || !recovery_password_file.empty() || prompt_password ||
         !password_file.empty() || !startup_key_files.empty();
}

void KeySourceOptions::WipeTyped() {
  for (std::string& typed : recovery_passwords) {
    crypto::Wipe({reinterpret_cast<uint8_t*>(typed.data()), typed.size()});
  }
  recovery_passwords.clear();
}

void AddKeySourceOptions(CLI::App& command, KeySourceOptions* options) {
  const char* group = "Keys (all given keys are tried; the clear key always is)";
  command
      .add_option("--recovery-password", options->recovery_passwords,
                  "48-digit recovery password (visible to other users in the process list: "
                  "prefer --recovery-password-file)")
      ->group(group);
  command
      .add_option("--recovery-password-file", options->recovery_password_file,
                  "File with recovery passwords, one per line (\"-\" = stdin)")
      ->group(group);
  command
      .add_flag("--password", options->prompt_password, "Ask for the user password on the terminal")
      ->group(group);
  command
      .add_option("--password-file", options->password_file,
                  "File whose first line is the user password (\"-\" = stdin)")
      ->group(group);
  command
      .add_option("--startup-key", options->startup_key_files,
                  "Startup key file (.BEK); may be repeated")
      ->group(group);
}

Result<crypto::SecretBytes> ReadSecretFile(const std::string& path, size_t max_size_bytes) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "stdin" : path;
  const int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string why = "cannot open " + name + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(why) : Status::IoError(why);
  }
  // One buffer sized for the cap plus one byte, so a too-large input is detected and the
  // secret is never copied by a growing container.
  crypto::SecretBytes buffer(max_size_bytes + 1);
  size_t length = 0;
  Status status;
  while (length < buffer.size()) {
    const ssize_t n = read(fd, buffer.data() + length, buffer.size() - length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::IoError("cannot read " + name + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  if (!is_stdin) close(fd);
  LOCKBOX_RETURN_IF_ERROR(status);
  if (length > max_size_bytes) {
    return Status::InvalidArgument(name + " is larger than " + std::to_string(max_size_bytes) +
                                   " bytes: is it really a key file?");
  }
  return crypto::SecretBytes(buffer.span().first(length));
}

std::span<const uint8_t> FirstLine(std::span<const uint8_t> text) {
  size_t end = 0;
  while (end < text.size() && text[end] != '\n') ++end;
  std::span<const uint8_t> line = text.first(end);
  while (!line.empty() && line.back() == '\r') line = line.first(line.size() - 1);
  return line;
}

Result<std::vector<recovery::RecoveryPassword>> ParseRecoveryPasswordLines(
    std::span<const uint8_t> text) {
  std::vector<recovery::RecoveryPassword> passwords;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t end = 0;
    while (end < text.size() && text[end] != '\n') ++end;
    std::span<const uint8_t> line = text.first(end);
    text = text.subspan(end < text.size() ? end + 1 : end);
    while (!line.empty() && IsLineSpace(line.front())) line = line.subspan(1);
    while (!line.empty() && IsLineSpace(line.back())) line = line.first(line.size() - 1);
    if (line.empty()) continue;
    auto parsed = recovery::RecoveryPassword::Parse(AsText(line));
    if (!parsed.ok()) return parsed.status().WithContext("line " + std::to_string(line_number));
    passwords.push_back(std::move(parsed).value());
  }
  if (passwords.empty()) {
    return Status::InvalidArgument("the recovery password file holds no recovery password");
  }
  return passwords;
}

Result<std::vector<bde::KeyMaterial>> ReadKeyMaterial(const KeySourceOptions& options,
                                                      std::string_view prompt_label) {
  if (options.recovery_password_file == "-" && options.password_file == "-") {
    return Status::InvalidArgument(
        "--recovery-password-file and --password-file cannot both read stdin: put one of "
        "them in a file");
  }
  std::vector<bde::KeyMaterial> keys;

  for (const std::string& typed : options.recovery_passwords) {
    auto parsed = recovery::RecoveryPassword::Parse(typed);
    if (!parsed.ok()) return parsed.status().WithContext("--recovery-password");
    keys.push_back(bde::KeyMaterial::FromRecoveryPassword(*parsed));
  }
  if (!options.recovery_password_file.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(auto text,
                             ReadSecretFile(options.recovery_password_file, kMaxKeyFileBytes));
    auto parsed = ParseRecoveryPasswordLines(text.span());
    if (!parsed.ok()) return parsed.status().WithContext(options.recovery_password_file);
    for (const auto& password : *parsed) {
      keys.push_back(bde::KeyMaterial::FromRecoveryPassword(password));
    }
  }
  if (!options.password_file.empty()) {
    LOCKBOX_ASSIGN_OR_RETURN(auto text, ReadSecretFile(options.password_file, kMaxKeyFileBytes));
    LOCKBOX_RETURN_IF_ERROR(AddPassword(FirstLine(text.span()), &keys));
  }
  if (options.prompt_password) {
    LOCKBOX_ASSIGN_OR_RETURN(
        auto typed, PromptSecret("Password for " + std::string(prompt_label) + ": ",
                                 "--password needs a terminal to ask on, and there is none: use "
                                 "--password-file instead (\"-\" reads the password from stdin)"));
    LOCKBOX_RETURN_IF_ERROR(AddPassword(typed.span(), &keys));
  }
  for (const std::string& path : options.startup_key_files) {
    LOCKBOX_ASSIGN_OR_RETURN(auto file, ReadSecretFile(path, kMaxKeyFileBytes));
    auto startup_key = bde::ParseStartupKeyFile(file.span());
    if (!startup_key.ok()) return startup_key.status().WithContext(path);
    keys.push_back(bde::KeyMaterial::FromStartupKey(*startup_key));
  }
  keys.push_back(bde::KeyMaterial::ClearKey());
  return keys;
}

}  // namespace lockbox::cli
