// Status and StatusOr: expected failures are values, not exceptions.
//
// Every library function that can fail for reasons outside the programmer's
// control (bad input, missing file, corrupt object) returns a Status or a
// StatusOr<T>. Both are [[nodiscard]]: an ignored error is a compile warning.
// The message is one line, names the problem, and is meant for the user.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace trail {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad flag, bad query, malformed input
  kNotFound,         // unknown run, missing file
  kAlreadyExists,
  kFailedPrecondition,  // not a repo, not initialized
  kIo,                  // the OS said no
  kCorrupt,             // a stored object does not parse or verify
  kInternal,            // a bug or a library failure we did not expect
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
inline Status FailedPrecondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }
inline Status IoError(std::string m) { return Status(Code::kIo, std::move(m)); }
inline Status Corrupt(std::string m) { return Status(Code::kCorrupt, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }
  StatusOr(T value) : value_(std::move(value)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace trail

#define TRAIL_CONCAT_INNER(a, b) a##b
#define TRAIL_CONCAT(a, b) TRAIL_CONCAT_INNER(a, b)

#define TRAIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::trail::Status trail_status_ = (expr);        \
    if (!trail_status_.ok()) return trail_status_; \
  } while (0)

#define TRAIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define TRAIL_ASSIGN_OR_RETURN(lhs, expr) \
  TRAIL_ASSIGN_OR_RETURN_IMPL(TRAIL_CONCAT(trail_statusor_, __LINE__), lhs, expr)
