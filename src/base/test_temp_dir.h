// Test-only: a fresh directory removed with its contents at scope exit. Every layer's tests use
// this one (a fixture that needs more, like context's TempRoot, is built on it).
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace trail::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "trail") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();  // a test cannot go on without it
    // The real path (a TMPDIR behind a link resolved), so it compares equal to what realpath(3)
    // and the Git layer say for files in it.
    path_ = std::filesystem::canonical(tmpl).string();
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

  // Writes `content` to the file `rel` in it (its folders created) with `mode`; returns its path.
  std::string Write(const std::string& rel, const std::string& content, mode_t mode = 0644) const {
    const std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), mode);
    return p.string();
  }

 private:
  std::string path_;
};

}  // namespace trail::testing
