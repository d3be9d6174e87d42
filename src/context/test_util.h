// Test-only helpers for the context layer: a temporary root to build fixture
// trees in, and the committed fixtures under testdata/.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "context/text_files.h"

namespace trail::context::testing {

// The keys of a JSON object in their order.
inline std::vector<std::string> Keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

inline std::string Testdata(const std::string& rel) {
  return (std::filesystem::path(__FILE__).parent_path() / "testdata" / rel).string();
}

// A fresh directory, removed with its contents at scope exit. path() is a
// realpath, so it compares equal to what realpath(3) gives for files in it.
class TempRoot {
 public:
  TempRoot() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "trail-context-XXXXXX").string();
    path_ = *RealPath(::mkdtemp(tmpl.data()));
  }
  ~TempRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  // Writes `content` to rel (parents created); mode 0755 when executable.
  std::string Write(const std::string& rel, const std::string& content, bool executable = false) const {
    std::filesystem::path p = path_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), executable ? 0755 : 0644);
    return p.string();
  }
  std::string MakeDir(const std::string& rel) const {
    std::filesystem::create_directories(path_ + "/" + rel);
    return path_ + "/" + rel;
  }
  // A symlink rel -> target (target as written, relative or absolute).
  std::string Link(const std::string& rel, const std::string& target) const {
    std::filesystem::path p = path_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
    return p.string();
  }
  // Copies a testdata folder into rel.
  std::string CopyTestdata(const std::string& testdata_rel, const std::string& rel) const {
    std::filesystem::create_directories(path_ + "/" + rel);
    std::filesystem::copy(Testdata(testdata_rel), path_ + "/" + rel, std::filesystem::copy_options::recursive);
    return path_ + "/" + rel;
  }

 private:
  std::string path_;
};

// A Debian-like CPython 3.11.9 under root/usr: bin/python3.11 (a stand-in
// binary), python3 -> python3.11, python -> python3, the headers'
// patchlevel.h (unless !headers), and lib/python3/dist-packages holding
// testdata/site-packages. Returns root/usr/bin.
inline std::string MakeFakePython(const TempRoot& root, bool headers = true) {
  root.Write("usr/bin/python3.11",
             std::string("\x7f"
                         "ELF fake interpreter\n"),
             true);
  root.Link("usr/bin/python3", "python3.11");
  root.Link("usr/bin/python", "python3");
  if (headers) {
    root.Write("usr/include/python3.11/patchlevel.h",
               "/* Version as a string */\n#define PY_VERSION              \"3.11.9\"\n");
  }
  root.CopyTestdata("site-packages", "usr/lib/python3/dist-packages");
  return root / "usr/bin";
}

// Stdout of a shell command, trailing newline removed.
inline std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* f = ::popen(command.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace trail::context::testing
