// Status and Result<T>: errors as values.
//
// Every fallible function in Lockbox returns a Status (no value) or a Result<T> (a value or
// the Status saying why there is none). Exceptions never cross a part's boundary. Messages are
// written for the person running the tool: what was wrong and, where we know, what to do.
// They never contain secrets (passwords, keys, recovery passwords).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace lockbox {

// Categories a caller (and the command line's exit code) can act on.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is malformed: a mistyped recovery password, a bad option
  kNotBitLocker,     // the image carries no BitLocker signature
  kCorrupt,          // on-disk data is damaged or hostile
  kWrongKey,         // a key was given but it opens no protector
  kUnsupported,      // understood, but not something we can do (TPM protector, Vista layout)
  kIoError,          // the operating system failed to read or write
  kNotFound,         // a named thing does not exist
  kAlreadyExists,    // refusing to replace something that exists
  kInternal,         // a bug or an unexpected library failure
  kPermissionDenied, // the caller's role or identity does not allow this operation
  kRateLimited,      // too many attempts in a short time: wait and try again
  kUnauthenticated,  // the caller could not be identified (bad password or token): sign in
};

// A short stable name for a code ("wrong_key"), used in JSON output.
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status NotBitLocker(std::string m) { return {ErrorCode::kNotBitLocker, std::move(m)}; }
  static Status Corrupt(std::string m) { return {ErrorCode::kCorrupt, std::move(m)}; }
  static Status WrongKey(std::string m) { return {ErrorCode::kWrongKey, std::move(m)}; }
  static Status Unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
  static Status IoError(std::string m) { return {ErrorCode::kIoError, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {ErrorCode::kPermissionDenied, std::move(m)};
  }
  static Status RateLimited(std::string m) { return {ErrorCode::kRateLimited, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {ErrorCode::kUnauthenticated, std::move(m)};
  }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // The same status with `context` put in front of the message ("metadata copy 2: ...").
  Status WithContext(const std::string& context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value of type T, or the Status that says why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result must not hold an ok Status");
  }

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lockbox

#define LOCKBOX_CONCAT_INNER(a, b) a##b
#define LOCKBOX_CONCAT(a, b) LOCKBOX_CONCAT_INNER(a, b)

// Returns the Status of `expr` (a Status or a Result) from the enclosing function if it failed.
#define LOCKBOX_RETURN_IF_ERROR(expr)                                  \
  do {                                                                 \
    if (auto&& lockbox_status_ = (expr); !lockbox_status_.ok()) {      \
      return ::lockbox::internal::StatusOf(lockbox_status_);           \
    }                                                                  \
  } while (0)

// `LOCKBOX_ASSIGN_OR_RETURN(auto x, F())` declares x from F()'s value or returns its Status.
#define LOCKBOX_ASSIGN_OR_RETURN(lhs, expr) \
  LOCKBOX_ASSIGN_OR_RETURN_IMPL(LOCKBOX_CONCAT(lockbox_result_, __LINE__), lhs, expr)
#define LOCKBOX_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

namespace lockbox::internal {
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}
}  // namespace lockbox::internal
