// Test-only: one scratch file per fuzzing process, for harnesses whose parser reads a path.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/check.h"

namespace trail::fuzz {

// Created under $TMPDIR (or /tmp) on first use, removed at exit.
inline const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/trail-fuzz-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    FUZZ_CHECK(fd >= 0, "cannot create a scratch file");
    ::close(fd);
    std::atexit([] { ::unlink(ScratchPath().c_str()); });
    return tmpl;
  }();
  return path;
}

// Replaces the scratch file's content with `bytes`, or appends them.
inline void WriteScratch(std::string_view bytes, bool append = false) {
  int fd = ::open(ScratchPath().c_str(), O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
  FUZZ_CHECK(fd >= 0, "cannot open the scratch file");
  FUZZ_CHECK(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()), "short write");
  ::close(fd);
}

}  // namespace trail::fuzz
