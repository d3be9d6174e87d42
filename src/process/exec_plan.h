// ExecPlan: everything exec needs, prepared before fork().
//
// trail may have other threads, so between fork() and exec() the child may
// only make async-signal-safe calls: no malloc, no locks. ExecPlan therefore
// builds the argv/envp arrays and every PATH candidate in the parent, and
// ExecInChild() only walks them.
#pragma once

#include <string>
#include <vector>

namespace trail::process {

class ExecPlan {
 public:
  // `argv` must not be empty. argv[0] is looked up, execvp-style, on the PATH
  // found in `env` (not trail's own), defaulting to /bin:/usr/bin; a name with
  // a '/' is used as is.
  ExecPlan(std::vector<std::string> argv, std::vector<std::string> env);

  // Holds pointers into its own strings: neither copyable nor movable.
  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;

  // argv[0] as given, for messages.
  const std::string& program() const { return argv_.front(); }

  // Paths that ExecInChild() will try, in order.
  const std::vector<std::string>& candidates() const { return candidates_; }

  // Tries each candidate like execvp(): skips the ones that do not exist,
  // runs a file without a #! line with /bin/sh. Returns only on failure, with
  // the errno to report (EACCES if some candidate existed but was not
  // executable). Async-signal-safe; for the forked child.
  int ExecInChild() const;

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<std::string> candidates_;
  std::vector<char*> argv_ptrs_;
  std::vector<char*> env_ptrs_;
  // {"/bin/sh", <candidate>, argv[1..], nullptr}; slot 1 is filled in the
  // child (a pointer store, which is safe there).
  mutable std::vector<char*> sh_argv_ptrs_;
};

}  // namespace trail::process
