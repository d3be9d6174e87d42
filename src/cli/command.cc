#include "cli/command.h"

#include <cstdio>

#include "recording/live_run.h"
#include "base/text.h"

namespace trail::cli {

// Messages may quote a remote URL, ours or git's: its password or token never reaches the terminal.
void PrintError(const std::string& message) {
  std::fprintf(stderr, "trail: error: %s\n", RedactUrlSecrets(message).c_str());
}
void PrintError(const Status& s) { PrintError(s.message()); }
void PrintWarning(const std::string& message) {
  std::fprintf(stderr, "trail: warning: %s\n", RedactUrlSecrets(message).c_str());
}

int Fail(const Status& s) {
  PrintError(s);
  return 1;
}

std::unique_ptr<Project> OpenProject() {
  auto project = Project::Open(CurrentDirectory());
  if (!project.ok()) {
    PrintError(project.status());
    return nullptr;
  }
  std::vector<std::string> warnings;
  RecoverAbandonedRuns(**project, &warnings);
  for (const auto& w : warnings) PrintWarning(w);
  return std::move(*project);
}

void ReportIndexProblems(index::RunIndex& index) {
  auto problems = index.Problems();
  if (!problems.ok()) return;
  for (const auto& p : *problems) PrintWarning("unreadable run record skipped: " + p);
}

}  // namespace trail::cli
