#include "reproduce/reproduction.h"

#include <filesystem>

#include "base/paths.h"
#include "base/safe_path.h"
#include "base/secrets.h"
#include "context/determinism_env.h"
#include "project/context_config.h"
#include "project/remotes.h"
#include "recording/capture.h"
#include "reproduce/code_worktree.h"
#include "store/pack_transfer.h"
#include "tracked/tracked_data.h"
#include "trail/sys/backend.h"

namespace trail::reproduce {
namespace {

bool IsVariableName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool IsUrl(const std::string& source) { return source.find("://") != std::string::npos; }

std::string ShellQuote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string::npos))
      plain = false;
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A typed param as `-p` text; only used for the printed command line (the run itself gets them typed).
std::string ParamText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

Status FetchFromStoreRemote(Project& project) {
  TRAIL_ASSIGN_OR_RETURN(Remote chosen, ChooseRemote(project, ""));
  auto backend = OpenRemote(chosen);
  if (!backend.ok()) return backend.status();
  return store::FetchPacks(project.store_dir(), **backend, store::PackTransferOptions{}).status();
}

}  // namespace

StatusOr<ReproductionPlan> PlanReproduction(const Json& record) {
  ReproductionPlan plan;
  plan.id = record.value("id", "");
  const std::string& id = plan.id;
  if (!record.contains("command") || !record["command"].is_array() || record["command"].empty())
    return Corrupt(id + ": the record has no command to run");
  for (size_t i = 0; i < record["command"].size(); ++i) {
    const Json& w = record["command"][i];
    if (!w.is_string()) return Corrupt(id + ": command word " + std::to_string(i) + " is not text");
    std::string word = w.get<std::string>();
    if (word.find('\0') != std::string::npos) return Corrupt(id + ": command word has a NUL byte");
    size_t eq = word.find('=');
    bool masked = word == kMaskedValue || (eq != std::string::npos && word.substr(eq + 1) == kMaskedValue);
    if (masked) {
      std::string option =
          word == kMaskedValue ? (i > 0 ? record["command"][i - 1].get<std::string>() : word) : word.substr(0, eq);
      return InvalidArgument(id + ": its command has a secret option " + option +
                             " whose value was never stored (recorded as ***): it cannot be run again");
    }
    plan.argv.push_back(std::move(word));
  }
  if (record.contains("cwd")) {
    if (!record["cwd"].is_string()) return Corrupt(id + ": cwd is not text");
    plan.cwd = record["cwd"].get<std::string>();
    if (plan.cwd != ".") {
      Status s = CheckRelativePath(plan.cwd, "cwd", /*outside_repo_dirs=*/true);
      if (!s.ok()) return Corrupt(id + ": " + s.message());
    }
  }
  if (record.contains("params") && record["params"].is_object()) {
    for (auto it = record["params"].begin(); it != record["params"].end(); ++it) {
      if (it.value().is_string() && it.value().get<std::string>() == kMaskedValue) continue;
      plan.params[it.key()] = it.value();
    }
  }
  const Json* vars = nullptr;
  if (record.contains("environment") && record["environment"].is_object() &&
      record["environment"].contains("variables"))
    vars = &record["environment"]["variables"];
  if (vars && !vars->is_null()) {
    if (!vars->is_object()) return Corrupt(id + ": environment.variables is not a map");
    for (auto it = vars->begin(); it != vars->end(); ++it) {
      if (!IsVariableName(it.key()))
        return Corrupt(id + ": environment variable name \"" + it.key() + "\" is not valid");
      if (!it.value().is_string() && !it.value().is_number())
        return Corrupt(id + ": environment variable " + it.key() + " is not text");
      std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      if (value.find('\0') != std::string::npos) return Corrupt(id + ": environment variable has a NUL byte");
      // Only the variables trail records for determinism, and never a masked one: a record from
      // another clone must not set LD_PRELOAD or PATH for the program it runs.
      if (!context::IsDeterminismVariable(it.key()) || value == kMaskedValue) continue;
      plan.env.push_back(it.key() + "=" + value);
    }
  }
  if (record.contains("seed") && !record["seed"].is_null()) {
    if (!record["seed"].is_number_integer()) return Corrupt(id + ": seed is not an integer");
    std::string seed = std::to_string(record["seed"].get<int64_t>());
    plan.env.push_back("TRAIL_SEED=" + seed);
    plan.env.push_back("PYTHONHASHSEED=" + seed);
  }
  if (record.contains("data")) {
    if (!record["data"].is_array()) return Corrupt(id + ": data is not a list");
    for (const Json& d : record["data"]) {
      if (!d.is_object() || !d.contains("role") || !d["role"].is_string() || !d.contains("source") ||
          !d["source"].is_string())
        return Corrupt(id + ": a data input has no role or source");
      std::string role = d["role"].get<std::string>(), source = d["source"].get<std::string>();
      if (role.empty() || role.find('=') != std::string::npos)
        return Corrupt(id + ": data role \"" + role + "\" is not valid");
      // Data outside the project is recorded by its absolute path (docs/run-data.md): read there
      // again, checked by hash, never written (RestoreDataInputs).
      if (!IsUrl(source) && !(source.size() > 1 && source[0] == '/' && IsSafeRelativePath(source.substr(1)))) {
        Status s = CheckRelativePath(source, "data source", /*outside_repo_dirs=*/true);
        if (!s.ok()) return Corrupt(id + ": " + s.message());
      }
      plan.data.emplace_back(role, source);
    }
  }
  if (record.contains("artifacts")) {
    if (!record["artifacts"].is_array()) return Corrupt(id + ": artifacts is not a list");
    for (const Json& a : record["artifacts"]) {
      if (!a.is_object() || !a.contains("path") || !a["path"].is_string())
        return Corrupt(id + ": an artifact has no path");
      std::string path = a["path"].get<std::string>();
      Status s = CheckRelativePath(path, "artifact path", /*outside_repo_dirs=*/true);
      if (!s.ok()) return Corrupt(id + ": " + s.message());
      plan.artifacts.push_back(path);
    }
  }
  return plan;
}

StatusOr<PreparedReproduction> PrepareReproduction(Project& project, const Json& record,
                                                   const PrepareOptions& options) {
  PreparedReproduction out;
  TRAIL_ASSIGN_OR_RETURN(out.plan, PlanReproduction(record));
  TRAIL_ASSIGN_OR_RETURN(std::string snapshot, SnapshotCommit(project, record));
  TRAIL_ASSIGN_OR_RETURN(out.worktree, AddSnapshotWorktree(project, out.plan.id, snapshot, options.dir));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Project> there, Project::Open(out.worktree));

  // The recorded bytes win inside the reproduction's own worktree: force.
  DataRestoreOptions plan_only{/*force=*/true, /*dry_run=*/true};
  TRAIL_ASSIGN_OR_RETURN(std::vector<DataInputRestore> planned,
                         RestoreDataInputs(*there, record, out.worktree, plan_only));
  bool missing = false;
  for (const auto& d : planned) missing |= d.state == DataInputRestore::State::kMissing;
  // Tracked data (`trail add` pointers in the snapshot) whose content this store lacks needs the
  // remote's packs as much as a missing input does; nothing missing: no network at all.
  bool has_pointers = false;
  if (auto pointers = FindPointerFiles(*there); pointers.ok()) has_pointers = !pointers->empty();
  if (has_pointers && !missing) {
    auto tracked = DataStatus(*there, {});
    for (const auto& t : tracked.ok() ? *tracked : std::vector<TrackedData>{}) missing |= !t.in_store;
  }
  auto remotes = LoadRemotes(project);
  if (missing && remotes.ok() && !remotes->empty()) {
    Status fetched = FetchFromStoreRemote(project);
    if (fetched.ok())
      out.fetched = true;
    else
      out.warnings.push_back("fetching packs from the store remote: " + fetched.message());
  }
  if (has_pointers) {
    auto checked = CheckoutData(*there, {}, /*force=*/false);
    if (!checked.ok())
      out.warnings.push_back("tracked data in the worktree: " + checked.status().message());
    else
      for (const auto& c : *checked)
        if (!c.problem.empty()) out.warnings.push_back(c.problem);
  }
  TRAIL_ASSIGN_OR_RETURN(out.data, RestoreDataInputs(*there, record, out.worktree, DataRestoreOptions{true, false}));
  std::string refused;
  for (const auto& d : out.data) {
    std::string why;
    if (d.state == DataInputRestore::State::kMissing)
      why = d.role + " (" + d.path + ", " + (d.oid.empty() ? "recorded without a content id" : d.oid) +
            "): no stored copy";
    else if (d.state == DataInputRestore::State::kUrl)
      why = d.role + " (" + d.path + "): a URL, not verifiable";
    if (why.empty()) continue;
    if (options.allow_missing_data)
      out.warnings.push_back("data input " + why);
    else
      refused += (refused.empty() ? "" : "; ") + why;
  }
  if (!refused.empty())
    return FailedPrecondition(out.plan.id + ": data input " + refused +
                              " (--allow-missing-data goes on without it; the worktree is left at " + out.worktree +
                              ")");

  TRAIL_ASSIGN_OR_RETURN(ContextConfig config, ParseContextConfig(there->config()));
  CaptureOptions capture;
  capture.argv = out.plan.argv;
  capture.cwd = out.plan.cwd == "." ? out.worktree : JoinPath(out.worktree, out.plan.cwd);
  capture.dry_run = true;
  Json now = CaptureContext(*there, config, capture, &out.warnings);
  Json recorded = record.contains("environment") ? record["environment"] : Json::object();
  out.environment = CompareEnvironments(recorded, now.contains("environment") ? now["environment"] : Json::object());
  return out;
}

RunRequest ReproductionRequest(const ReproductionPlan& plan, const std::string& worktree) {
  RunRequest req;
  req.argv = plan.argv;
  req.reproduces = plan.id;
  req.cwd = plan.cwd == "." ? worktree : JoinPath(worktree, plan.cwd);
  req.extra_params = plan.params;
  req.env = plan.env;
  for (const auto& [role, source] : plan.data) {
    // An input allowed to be missing (--allow-missing-data) cannot be read again: left out, so
    // the verdict names it as different.
    if (!IsUrl(source) && !std::filesystem::exists(JoinPath(worktree, source))) continue;
    DataInput in;
    in.role = role;
    in.source = IsUrl(source) ? source : JoinPath(worktree, source);
    req.data.push_back(in);
  }
  for (const std::string& a : plan.artifacts) req.artifacts.push_back(JoinPath(worktree, a));
  return req;
}

std::string ReproductionCommandLine(const ReproductionPlan& plan, const std::string& worktree) {
  std::string cwd = plan.cwd == "." ? worktree : JoinPath(worktree, plan.cwd);
  std::string line = "cd " + ShellQuote(cwd) + " && ";
  if (!plan.env.empty()) {
    line += "env";
    for (const std::string& e : plan.env) line += " " + ShellQuote(e);
    line += " ";
  }
  line += "trail run --reproduces " + ShellQuote(plan.id);
  std::string up;  // from the cwd back to the worktree's root, for the recorded root-relative paths
  if (plan.cwd != ".") {
    for (char c : plan.cwd) up += c == '/' ? "../" : "";
    up += "../";
  }
  for (auto it = plan.params.begin(); it != plan.params.end(); ++it)
    line += " -p " + ShellQuote(it.key() + "=" + ParamText(it.value()));
  for (const auto& [role, source] : plan.data)
    if (IsUrl(source) || std::filesystem::exists(JoinPath(worktree, source)))
      line += " --data " + ShellQuote(role + "=" + (IsUrl(source) ? source : up + source));
  for (const std::string& a : plan.artifacts) line += " --artifact " + ShellQuote(up + a);
  line += " --";
  for (const std::string& w : plan.argv) line += " " + ShellQuote(w);
  return line;
}

}  // namespace trail::reproduce
