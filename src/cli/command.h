// The CLI is a table of subcommands (as ninja's kTools[] and libgit2's
// cli_cmds[]); each registers its flags on CLI11 and runs against the library.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "progress_bar.h"
#include "trail/json.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::cli {

// Set by a command's callback: the process exit code.
struct Outcome {
  int exit_code = 0;
};

struct Command {
  const char* name;
  const char* summary;
  // Adds the subcommand's options to `sub` and returns the action to run once parsed.
  std::function<std::function<int()>(CLI::App& sub)> setup;
};

const std::vector<Command>& Commands();

// Shared helpers for commands.
void PrintError(const Status& s);
void PrintError(const std::string& message);
void PrintWarning(const std::string& message);
// Opens the project of the current directory and finalizes abandoned runs (a
// warning each); prints the error and returns null on failure.
std::unique_ptr<api::Project> OpenProject();
// Prints one warning per line (records on the branch that could not be read, ...).
void PrintWarnings(const std::vector<std::string>& messages);
// Exit code for a failed status: 1 for every expected failure.
int Fail(const Status& s);
// Paths as given on the command line, made absolute.
std::vector<std::string> Absolute(const std::vector<std::string>& paths);
// `trail checkout`'s work and report, shared with `trail pull` (cmd_data.cc). With `json`, the
// report is put in *json instead of printed: {"restored": [PATH...], "up_to_date": N,
// "problems": [LINE...]} (problems still go to stderr too).
int CheckoutAndReport(api::Project& project, const std::vector<std::string>& paths, bool force, Json* json = nullptr,
                      api::ProgressSink* progress = nullptr);

// `--format text|json` on a command whose output is text by default (docs/json.md).
void AddFormatOption(CLI::App& sub, std::string& format);
// The one JSON document a `--format json` command prints on stdout.
void PrintJson(const Json& document);
// The absolute path of this `trail` binary (what sweeps and batch jobs run); "trail" if unknown.
std::string SelfExe();

// A long operation's progress line (docs/cli.md, "Terminal output"): `--progress` forces it;
// -q / --quiet and --format json turn it off; by default it is drawn when stderr is a terminal,
// once the operation has run for half a second.
struct ProgressOptions {
  bool force = false;  // --progress
  bool quiet = false;  // -q / --quiet
};
// Adds --progress, and -q / --quiet unless the command has its own (`quiet_help` empty).
void AddProgressFlags(CLI::App& sub, ProgressOptions& options, const char* quiet_help = "no progress line");
// The sink to pass to the library, or null for none.
std::unique_ptr<ProgressBar> MakeProgress(const ProgressOptions& options, bool json);

}  // namespace trail::cli
