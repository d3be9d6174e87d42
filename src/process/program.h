// Starting another program: the one way trail runs a helper process (git, the Python probe, a
// sweep's trials, a custom context command). The program gets an argv, never a shell line, so
// nothing is quoted by hand; the caller says where its output goes and whether to wait for it.
// (The user's command itself is run by ChildProcess, which relays a pty and forwards signals.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "trail/status.h"

namespace trail::process {

// Where the program's stdout or stderr goes. Its stdin is always /dev/null: nothing trail starts
// may read the terminal trail shares with the user's command.
enum class Stream {
  kInherit,     // trail's own descriptor
  kNull,        // /dev/null
  kCapture,     // a pipe that RunProgram reads (StartProgram refuses it: nobody would read)
  kIntoStdout,  // stderr only: the same pipe or file as stdout, interleaved as written
};

struct Program {
  std::vector<std::string> argv;                // argv[0] names the program; must not be empty
  bool search_path = false;                     // find argv[0] in $PATH, as a shell would
  std::string cwd;                              // empty: trail's
  std::optional<std::vector<std::string>> env;  // the whole environment ("NAME=value"); nullopt: trail's
  Stream out = Stream::kInherit;
  Stream err = Stream::kInherit;
  // In its own process group (pgid = its pid), so that kill(-pid) reaches everything it starts and
  // the terminal's Ctrl-C reaches trail only.
  bool own_process_group = false;
  // With reset_signals the program starts with an empty signal mask and `default_signals` at their
  // default action (every signal when the list is empty), whatever trail blocks or ignores just
  // then; without it, it inherits both (exec resets handled signals in any case).
  bool reset_signals = false;
  std::vector<int> default_signals;
};

// Starts the program and returns its pid; the caller must reap it (waitpid). IoError "cannot run
// <argv[0]>: <reason>" when it cannot be started (missing, not executable, bad cwd).
StatusOr<pid_t> StartProgram(const Program& program);

// Trail's environment ("NAME=value" entries, in order) without those that start with one of
// `prefixes`: "LC_ALL=" drops LC_ALL, "TRAIL_PARAM_" every TRAIL_PARAM_* variable. For a Program's
// env, with the caller's own settings appended.
std::vector<std::string> CurrentEnvironmentWithout(const std::vector<std::string>& prefixes);

struct ProgramOutput {
  std::string out;         // what it wrote to a kCapture stdout (and a kIntoStdout stderr)
  std::string err;         // what it wrote to a kCapture stderr
  int exit_code = -1;      // its exit status; -1 when a signal ended it
  int signal = 0;          // the signal that ended it; 0 when it exited
  bool timed_out = false;  // it ran past the timeout and was killed (SIGKILL; its group too)
};

struct OutputLimits {
  std::optional<std::chrono::milliseconds> timeout;  // nullopt: wait as long as it runs
  size_t max_bytes = static_cast<size_t>(-1);        // per stream; more is read and dropped
};

// Runs the program to its end, collecting the kCapture streams. A program that fails or times
// out is not an error here: ProgramOutput says how it ended. Errors are only a program that could
// not be started (as StartProgram) or a pipe that could not be made.
StatusOr<ProgramOutput> RunProgram(const Program& program, const OutputLimits& limits = {});

}  // namespace trail::process
