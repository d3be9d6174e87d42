#include "command_tree.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace trail::cli {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// CLI11 shows a CLI::IsMember check as "TEXT:{text,json}" in the full type name.
std::vector<std::string> Choices(const CLI::Option& opt) {
  std::string type = opt.get_type_name();
  size_t open = type.find(":{");
  size_t close = type.find('}', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> choices;
  std::string item;
  for (size_t i = open + 2; i <= close; ++i) {
    if (type[i] == ',' || type[i] == '}') {
      if (!item.empty()) choices.push_back(item);
      item.clear();
    } else if (type[i] != ' ') {
      item += type[i];
    }
  }
  return choices;
}

// The words a positional or an option's value stands for, read from how the commands name and
// describe them (the conventions of src/cli/: a run is "run", "runs" or "id", or described as a
// run id; a remote is "remote", or described as "the remote ..."). Anything else that is not
// described as free text is a path, as a shell completes by default.
ValueKind KindOf(const CLI::Option& opt, const std::string& name, bool positional) {
  const std::string desc = Lower(opt.get_description());
  if (!Choices(opt).empty()) return ValueKind::kChoices;
  if (name == "remote" || (positional && (desc == "the remote" || StartsWith(desc, "the remote ")))) {
    return ValueKind::kRemotes;
  }
  // Options whose value is a run: `run --resume ID`, `run --reproduces ID`, `reproduce --against`.
  static const std::set<std::string> kRunOptions = {"resume", "reproduces", "against"};
  if (positional ? (name == "run" || name == "runs" || name == "id" || desc.find("run id") != std::string::npos ||
                    StartsWith(desc, "first run") || StartsWith(desc, "second run"))
                 : kRunOptions.count(name) > 0) {
    return ValueKind::kRuns;
  }
  if (positional && (name == "paths" || name == "args" || desc.find("file") != std::string::npos)) {
    return ValueKind::kFiles;
  }
  // Options whose value is a path: `get -o DIR`, `reproduce --dir`, `run --artifact`, `run --data NAME=PATH`.
  static const std::set<std::string> kPathOptions = {"output", "dir", "artifact", "data"};
  if (!positional && kPathOptions.count(name) > 0) return ValueKind::kFiles;
  return ValueKind::kNone;
}

OptionInfo Describe(const CLI::Option& opt) {
  OptionInfo info;
  info.description = opt.get_description();
  info.required = opt.get_required();
  std::string name;
  if (opt.get_positional()) {
    name = opt.get_name(true, false);
    info.names.push_back(name);
    info.repeats = opt.get_items_expected_max() > 1;
    info.value_name = opt.get_type_name();
  } else {
    for (const auto& s : opt.get_snames()) info.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) info.names.push_back("--" + l);
    name = opt.get_lnames().empty() ? (opt.get_snames().empty() ? "" : opt.get_snames()[0]) : opt.get_lnames()[0];
    if (opt.get_type_size_max() > 0) {
      info.value_name = opt.get_type_name();
      size_t colon = info.value_name.find(':');
      if (colon != std::string::npos) info.value_name.resize(colon);
    }
  }
  if (opt.get_positional() || !info.value_name.empty()) {
    info.kind = KindOf(opt, name, opt.get_positional());
    if (info.kind == ValueKind::kChoices) info.choices = Choices(opt);
  }
  return info;
}

void Walk(const CLI::App& app, std::vector<std::string> path, std::vector<CommandInfo>& out) {
  size_t me = out.size();
  out.push_back({});
  out[me].path = path;
  out[me].description = app.get_description();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    OptionInfo info = Describe(*opt);
    (opt->get_positional() ? out[me].positionals : out[me].options).push_back(std::move(info));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty() || sub->get_group().empty()) continue;  // option groups; hidden commands
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    out[me].children.push_back(out.size());
    Walk(*sub, sub_path, out);
  }
}

}  // namespace

std::vector<CommandInfo> ReadCommandTree(const CLI::App& root) {
  std::vector<CommandInfo> tree;
  Walk(root, {}, tree);
  // main.cc takes git's `-C DIR` before CLI11 sees the arguments: it is trail's own option all the same.
  OptionInfo c;
  c.names = {"-C"};
  c.description = "run as if trail was started in DIR (repeatable: each one relative to the previous, as git -C)";
  c.value_name = "DIR";
  c.kind = ValueKind::kFiles;
  tree[0].options.push_back(std::move(c));
  // And `--color[=WHEN]`, taken anywhere before a `--` (main.cc).
  OptionInfo color;
  color.names = {"--color"};
  color.description = "colour: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always, never";
  color.value_name = "WHEN";
  color.kind = ValueKind::kChoices;
  color.choices = {"auto", "always", "never"};
  tree[0].options.push_back(std::move(color));
  return tree;
}

}  // namespace trail::cli
