// What the public-API tests share: a throwaway Git repository in a temporary folder, with a fixed
// identity and no user or system configuration, driven by shell commands as a user would.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "trail/project.h"
#include "trail/recording.h"

namespace trail::api::testing {

// Makes the repository's first commands: a `main` branch, the test identity, no signing.
inline constexpr const char* kGitInit =
    "git init -q -b main && git config user.name 'Test User' && git config user.email t@example.com"
    " && git config commit.gpgsign false";

// A new empty folder under the system's temporary folder, its canonical path.
inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  return std::filesystem::canonical(::mkdtemp(tmpl.data())).string();
}

// Git (and trail, which reads Git's identity) sees a fixed author and committer, a HOME of its
// own (one per test program) and no system configuration.
inline void IsolateGit() {
  static const std::string home = MakeTempDir("trail-api-home");
  setenv("HOME", home.c_str(), 1);
  setenv("XDG_CONFIG_HOME", home.c_str(), 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  setenv("GIT_AUTHOR_NAME", "Test User", 1);
  setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
  setenv("GIT_COMMITTER_NAME", "Test User", 1);
  setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
}

// Runs `command` with sh in `dir`, its output discarded; its exit code (-1 when it did not exit).
inline int ShellIn(const std::string& dir, const std::string& command) {
  int rc = std::system(("cd '" + dir + "' && (" + command + ") >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A RunObserver that shows nothing: the tests read what a run recorded, not what it printed.
class QuietObserver : public RunObserver {
 public:
  void Started(const std::string&) override {}
  void Finished(const Json&) override {}
  void Warning(const std::string&) override {}
  void Error(const std::string&) override {}
};

// A trail project named "t" in a new Git repository with one commit, under a temporary folder
// (its path in `*root`), opened; nullptr after a test failure when any step fails.
inline Project* MakeProject(const std::string& prefix, std::string* root) {
  IsolateGit();
  *root = MakeTempDir(prefix);
  std::ofstream(*root + "/README") << "x\n";
  if (ShellIn(*root, std::string(kGitInit) + " && git add -A && git commit -q -m init") != 0) {
    ADD_FAILURE() << "git init in " << *root;
    return nullptr;
  }
  InitOptions init;
  init.name = "t";
  if (auto made = InitProject(*root, init); !made.ok()) {
    ADD_FAILURE() << made.status().message();
    return nullptr;
  }
  auto project = Project::Open(*root, nullptr);
  if (!project.ok()) {
    ADD_FAILURE() << project.status().message();
    return nullptr;
  }
  return project->release();
}

}  // namespace trail::api::testing
