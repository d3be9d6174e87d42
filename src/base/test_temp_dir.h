// Test-only: a fresh directory removed with its contents at scope exit. Every layer's tests use
// this one (through a `using` in their own testing namespace).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace trail::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "trail") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace trail::testing
