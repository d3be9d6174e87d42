#include "command.h"

#include <unistd.h>

#include <cstdio>

#include "terminal.h"
#include "trail/format.h"

namespace trail::cli {

// Messages may quote a remote URL, ours or git's: its password or token never reaches the terminal.
void PrintError(const std::string& message) {
  std::fprintf(stderr, "trail: %s %s\n", Paint(STDERR_FILENO, Style::kRed, "error:").c_str(),
               api::RedactUrlSecrets(message).c_str());
}
void PrintError(const Status& s) { PrintError(s.message()); }
void PrintWarning(const std::string& message) {
  std::fprintf(stderr, "trail: %s %s\n", Paint(STDERR_FILENO, Style::kYellow, "warning:").c_str(),
               api::RedactUrlSecrets(message).c_str());
}

int Fail(const Status& s) {
  PrintError(s);
  return 1;
}

std::unique_ptr<api::Project> OpenProject() {
  std::vector<std::string> warnings;
  auto project = api::Project::Open(api::CurrentDirectory(), &warnings);
  PrintWarnings(warnings);
  if (!project.ok()) {
    PrintError(project.status());
    return nullptr;
  }
  return std::move(*project);
}

void AddFormatOption(CLI::App& sub, std::string& format) {
  sub.add_option("--format", format, "text | json (one JSON document on stdout: docs/json.md)")
      ->check(CLI::IsMember({"text", "json"}));
}

void PrintJson(const Json& document) {
  std::fputs(api::DumpJson(document).c_str(), stdout);
  std::fputs("\n", stdout);
}

void AddProgressFlags(CLI::App& sub, ProgressOptions& options, const char* quiet_help) {
  sub.add_flag("--progress", options.force,
               "show the progress line even when stderr is not a terminal (by default only on one, and not "
               "with -q or --format json)");
  if (quiet_help && *quiet_help) sub.add_flag("-q,--quiet", options.quiet, quiet_help);
}

std::unique_ptr<ProgressBar> MakeProgress(const ProgressOptions& options, bool json) {
  ProgressBar::Options bar;
  if (!options.force) {
    if (options.quiet || json || ::isatty(STDERR_FILENO) != 1) return nullptr;
    bar.delay_s = 0.5;  // an operation done in a blink draws nothing
  }
  return std::make_unique<ProgressBar>(std::move(bar));
}

void PrintWarnings(const std::vector<std::string>& messages) {
  for (const auto& m : messages) PrintWarning(m);
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "trail";
  buf[n] = '\0';
  return buf;
}

}  // namespace trail::cli
