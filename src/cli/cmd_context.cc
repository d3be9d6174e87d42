// trail context: what `trail run` would capture now, as a dry run.
#include <cstdio>

#include "commands.h"
#include "trail/format.h"
#include "trail/recording.h"

namespace trail::cli {

std::function<int()> SetupContext(CLI::App& sub) {
  auto argv = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("yaml");
  sub.add_option("--format", *format, "yaml | json")->check(CLI::IsMember({"yaml", "json"}));
  sub.add_option("command", *argv, "the command a run would execute, after -- (optional)");
  sub.footer(
      "Prints the context a run of COMMAND would record now (code, environment, processors, Python,\n"
      "frameworks, packages, Table 1 functions, custom fields), after the include/exclude lists of\n"
      ".trail/config.yaml. Writes nothing. See docs/context.md.");
  return [argv, format] {
    auto project = OpenProject();
    if (!project) return 1;
    auto context = api::PreviewContext(*project, *argv, api::CurrentDirectory());
    if (!context.ok()) return Fail(context.status());
    if (*format == "json") {
      std::printf("%s\n", api::DumpJson(*context).c_str());
    } else {
      std::fputs(api::RecordYaml(*context).c_str(), stdout);
    }
    return 0;
  };
}

}  // namespace trail::cli
