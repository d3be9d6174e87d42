#include "command.h"

#include <unistd.h>

#include <cstdio>

#include "trail/format.h"

namespace trail::cli {

// Messages may quote a remote URL, ours or git's: its password or token never reaches the terminal.
void PrintError(const std::string& message) {
  std::fprintf(stderr, "trail: error: %s\n", api::RedactUrlSecrets(message).c_str());
}
void PrintError(const Status& s) { PrintError(s.message()); }
void PrintWarning(const std::string& message) {
  std::fprintf(stderr, "trail: warning: %s\n", api::RedactUrlSecrets(message).c_str());
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
