// Helpers for the run layer's tests: build specs, and run a piece of the
// test in a forked process whose stdout/stderr are files or a pty, so the
// relayed bytes can be checked exactly.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "process/child_process.h"

extern char** environ;

namespace trail::process::testing {

inline std::vector<std::string> CurrentEnv() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

inline ChildSpec Sh(const std::string& script) {
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = CurrentEnv();
  return spec;
}

// Runs to the end with no tick work. Aborts the test binary on a Start()
// failure (callers check Start() themselves when that is the point).
inline ChildExit RunToExit(const ChildSpec& spec, std::string* tail = nullptr) {
  auto child = ChildProcess::Start(spec);
  if (!child.ok()) {
    fprintf(stderr, "Start failed: %s\n", child.status().message().c_str());
    abort();
  }
  ChildExit exit = (*child)->Wait({}, std::chrono::milliseconds(50));
  if (tail != nullptr) *tail = (*child)->OutputTail();
  return exit;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Descriptors open in this process right now.
inline std::set<int> OpenFds() {
  std::set<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd != dirfd(dir)) fds.insert(fd);
  }
  closedir(dir);
  return fds;
}

struct Forked {
  int status = -1;  // raw waitpid status of the helper
  std::string out;  // what reached its fd 1 (and fd 2 for a pty)
  std::string err;  // what reached its fd 2 (files only)
  bool exited_zero() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

// Runs `body` in a forked process whose fds 1 and 2 are temporary files; the
// helper exits with body's return value.
inline Forked RunWithStdioInFiles(const std::function<int()>& body) {
  char out_path[] = "/tmp/trail_run_test_outXXXXXX";
  char err_path[] = "/tmp/trail_run_test_errXXXXXX";
  int out = mkostemp(out_path, O_CLOEXEC);
  int err = mkostemp(err_path, O_CLOEXEC);
  std::fflush(nullptr);  // nothing buffered is duplicated into the child (TSan's _exit flushes stdio)
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out, 1);
    dup2(err, 2);
    _exit(body());
  }
  close(out);
  close(err);
  Forked result;
  waitpid(pid, &result.status, 0);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  return result;
}

// Runs `body` in a forked process whose fds 1 and 2 are both the slave of a
// new pty of size `ws`; collects what it writes there. `on_output` sees the
// helper's pid, the pty master and all output so far after each read.
inline Forked RunWithStdioOnPty(const std::function<int()>& body, winsize ws,
                                const std::function<void(pid_t, int, const std::string&)>& on_output = {}) {
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, &ws) != 0) abort();
  std::fflush(nullptr);  // nothing buffered is duplicated into the child (TSan's _exit flushes stdio)
  pid_t pid = fork();
  if (pid == 0) {
    close(master);
    dup2(slave, 1);
    dup2(slave, 2);
    close(slave);
    _exit(body());
  }
  close(slave);
  Forked result;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  char buf[4096];
  while (std::chrono::steady_clock::now() < give_up) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the helper and everything it started are gone
    result.out.append(buf, static_cast<size_t>(n));
    if (on_output) on_output(pid, master, result.out);
  }
  close(master);
  if (std::chrono::steady_clock::now() >= give_up) kill(pid, SIGKILL);  // hung: fail, don't hang
  waitpid(pid, &result.status, 0);
  return result;
}

}  // namespace trail::process::testing
