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

#include "base/test_temp_dir.h"
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

// A fixture root: the shared scratch directory (base/test_temp_dir.h, a real path, so it
// compares equal to what realpath(3) gives for files in it) with shorthands for building trees.
class TempRoot : public trail::testing::TempDir {
 public:
  TempRoot() : TempDir("trail-context") {}

  std::string operator/(const std::string& rel) const { return path() + "/" + rel; }

  // Writes `content` to rel (parents created); mode 0755 when executable.
  std::string Write(const std::string& rel, const std::string& content, bool executable = false) const {
    return TempDir::Write(rel, content, executable ? 0755 : 0644);
  }
  std::string MakeDir(const std::string& rel) const {
    std::filesystem::create_directories(path() + "/" + rel);
    return path() + "/" + rel;
  }
  // A symlink rel -> target (target as written, relative or absolute).
  std::string Link(const std::string& rel, const std::string& target) const {
    std::filesystem::path p = path() + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
    return p.string();
  }
  // Copies a testdata folder into rel.
  std::string CopyTestdata(const std::string& testdata_rel, const std::string& rel) const {
    std::filesystem::create_directories(path() + "/" + rel);
    std::filesystem::copy(Testdata(testdata_rel), path() + "/" + rel, std::filesystem::copy_options::recursive);
    return path() + "/" + rel;
  }
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
