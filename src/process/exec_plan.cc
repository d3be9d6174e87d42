#include "process/exec_plan.h"

#include <errno.h>
#include <unistd.h>

#include <string_view>
#include <utility>

namespace trail::process {
namespace {

constexpr std::string_view kDefaultPath = "/bin:/usr/bin";  // glibc's default

std::string_view PathOf(const std::vector<std::string>& env) {
  for (const std::string& kv : env) {
    // The first PATH wins, as it would for getenv() in the child.
    if (kv.starts_with("PATH=")) return std::string_view(kv).substr(5);
  }
  return kDefaultPath;
}

std::vector<std::string> Candidates(const std::string& file, std::string_view path) {
  if (file.find('/') != std::string::npos || file.empty()) return {file};
  std::vector<std::string> out;
  while (true) {
    size_t colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    // An empty element means the current directory, as in execvp().
    out.push_back(dir.empty() ? file : std::string(dir) + "/" + file);
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return out;
}

}  // namespace

ExecPlan::ExecPlan(std::vector<std::string> argv, std::vector<std::string> env)
    : argv_(std::move(argv)), env_(std::move(env)) {
  candidates_ = Candidates(argv_.empty() ? std::string() : argv_[0], PathOf(env_));
  for (std::string& a : argv_) argv_ptrs_.push_back(a.data());
  argv_ptrs_.push_back(nullptr);
  for (std::string& e : env_) env_ptrs_.push_back(e.data());
  env_ptrs_.push_back(nullptr);
  sh_argv_ptrs_.push_back(const_cast<char*>("/bin/sh"));
  sh_argv_ptrs_.push_back(nullptr);
  for (size_t i = 1; i < argv_.size(); ++i) sh_argv_ptrs_.push_back(argv_[i].data());
  sh_argv_ptrs_.push_back(nullptr);
}

int ExecPlan::ExecInChild() const {
  bool saw_eacces = false;
  int last_error = ENOENT;
  for (const std::string& candidate : candidates_) {
    char* path = const_cast<char*>(candidate.c_str());
    execve(path, argv_ptrs_.data(), env_ptrs_.data());
    int err = errno;
    if (err == ENOEXEC) {
      // No #! line: execvp() hands such files to the shell, so do we.
      sh_argv_ptrs_[1] = path;
      execve(sh_argv_ptrs_[0], sh_argv_ptrs_.data(), env_ptrs_.data());
      return errno;
    }
    switch (err) {
      case EACCES:
        saw_eacces = true;
        [[fallthrough]];
      case ENOENT:
      case ENOTDIR:
      case ESTALE:
      case ENODEV:
      case ETIMEDOUT:
        last_error = err;
        continue;  // not here (or not runnable here): try the next directory
      default:
        return err;
    }
  }
  return saw_eacces ? EACCES : last_error;
}

}  // namespace trail::process
