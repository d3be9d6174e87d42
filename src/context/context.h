// Capture of the run's environment: the paper's Table 3 facts about the
// machine, its processors and the Python the command runs.
//
// Every reader here is fail-soft: what it cannot read (a missing /proc file,
// a broken dist-info, an absent NVIDIA library) becomes a one-line warning
// appended to `*warnings` and the fact is left out. Nothing here fails a run,
// prints, or exits.
//
// The outside world is injected through ContextEnv: files under /proc, /sys,
// /dev, /etc and /var are read below `root`, and environment variables come
// from `env`, never from the process, so tests run on fixture copies.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/yaml.h"

namespace trail::context {

struct ContextEnv {
  // Prefix for the system files: "/" reads the live machine.
  std::string root = "/";
  // The environment the command will run with (PATH, HOME, CUDA_VISIBLE_DEVICES, ...).
  std::map<std::string, std::string> env;

  // root "/" and this process's environment.
  static ContextEnv FromProcess();

  // `relative` (no leading '/') resolved below root: Path("proc/cpuinfo").
  std::string Path(const std::string& relative) const;
  // The variable's value, or nullptr when unset.
  const std::string* Get(const std::string& name) const;
};

struct ProgramSources;  // program_sources.h

// The `environment` fragment of a run record for a command `argv` started in
// `cwd`, keys in this order: os, distribution, kernel, arch, cpu, memory_bytes,
// processors, and, only when the command runs Python, python, frameworks
// (the ML frameworks the program's sources import, with versions),
// frameworks_installed (every one installed, used or not) and packages (the
// distributions the program's sources import, see ScanPackages). `sources` are the program's, from FindProgramSources
// with the same argv and cwd, so that a caller that also scans them for functions reads them once; when null they are
// found here, with the repository root taken as the nearest folder holding .git above cwd. `host` is left out: the run
// record carries it at top level. Every string in the result and in the warnings it adds is valid UTF-8 (bad bytes in
// outside files become U+FFFD); the individual readers pass strings through as read.
Json CaptureEnvironment(const std::vector<std::string>& argv, const std::string& cwd, const ContextEnv& env,
                        std::vector<std::string>* warnings, const ProgramSources* sources = nullptr);

}  // namespace trail::context
