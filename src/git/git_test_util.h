// Helpers for the Git layer's tests: throwaway repositories driven with the
// real `git` CLI, so the tests check what a user would see.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "base/test_temp_dir.h"
#include "git/repo.h"

namespace trail::git::testing {

// Single-quotes `s` for /bin/sh.
inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command; returns its exit status.
inline int Sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Runs a shell command and returns its stdout.
inline std::string ShOut(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The shared scratch directory (base/test_temp_dir.h), a real path as libgit2 reports paths.
using trail::testing::TempDir;

// A non-bare repository made by `git init`, with a fixed identity and no
// user or system config, so the host's git setup cannot change results.
class GitRepoFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    // An empty HOME hides the host's ~/.gitconfig from git and libgit2 alike
    // (libgit2 reads HOME once, at its first use in this process).
    static TempDir home;
    setenv("HOME", home.path().c_str(), 1);
    setenv("XDG_CONFIG_HOME", home.path().c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_AUTHOR_NAME", "Test User", 1);
    setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
    setenv("GIT_COMMITTER_NAME", "Test User", 1);
    setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
    ASSERT_EQ(Git("init -q -b main"), 0);
    ASSERT_EQ(Git("config user.name 'Test User'"), 0);
    ASSERT_EQ(Git("config user.email test@example.com"), 0);
    ASSERT_EQ(Git("config commit.gpgsign false"), 0);
  }

  const std::string& root() const { return dir_.path(); }

  // `git <args>` in the repository; returns the exit status.
  int Git(const std::string& args) const { return Sh("cd " + Quote(root()) + " && git " + args + " >/dev/null 2>&1"); }
  // stdout of `git <args>` in the repository.
  std::string GitOut(const std::string& args) const {
    return ShOut("cd " + Quote(root()) + " && git " + args + " 2>/dev/null");
  }

  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(root()) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(std::filesystem::path(root()) / rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void CommitAll(const std::string& message) const {
    ASSERT_EQ(Git("add -A"), 0);
    ASSERT_EQ(Git("commit -q -m " + Quote(message)), 0);
  }

  // Everything the cardinal rule protects, as text: the index file's bytes,
  // HEAD and the branch it names, `git status`, and each working-tree path's type, mode,
  // size, mtime and content. --no-optional-locks keeps `git status` itself
  // from refreshing the index.
  std::string UserVisibleState() const {
    const std::string cd = "cd " + Quote(root()) + " && ";
    return ShOut(cd +
                 "sha256sum .git/index 2>&1; cat .git/HEAD; git rev-parse HEAD 2>&1;"
                 "git symbolic-ref -q HEAD;"
                 "git --no-optional-locks status --porcelain=v1 --untracked-files=all;"
                 "find . -path ./.git -prune -o -printf '%p %y %m %s %T@ %l\\n' | sort;"
                 "find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum");
  }

  std::unique_ptr<Repo> Open() const {
    auto repo = Repo::Discover(root());
    EXPECT_TRUE(repo.ok()) << repo.status().message();
    return repo.ok() ? std::move(repo).value() : nullptr;
  }

 private:
  TempDir dir_;
};

}  // namespace trail::git::testing
