#include "recording/capture.h"

#include <unistd.h>

#include <cstdlib>

#include "base/files.h"
#include "base/paths.h"
#include "base/secrets.h"
#include "context/context.h"
#include "context/determinism_env.h"
#include "context/function_scan.h"
#include "context/program_sources.h"
#include "context/seed_scan.h"

namespace trail {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The program the command runs: "train.py" for `python train.py`, "pkg.mod"
// for `python -m pkg.mod`, else the command itself.
std::string EntryPoint(const std::vector<std::string>& argv, const std::string& cwd, const std::string& root) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-m" && i + 1 < argv.size()) return argv[i + 1];
    if (a.empty() || a[0] == '-') continue;
    std::string full = a[0] == '/' ? a : JoinPath(cwd, a);
    if (PathExists(full) && !IsDirectory(full)) {
      char* real = ::realpath(full.c_str(), nullptr);
      std::string resolved = real ? real : full;
      std::free(real);
      return RelativeTo(root, resolved);
    }
    break;  // the first plain argument was not a file: not an interpreter call
  }
  return argv.empty() ? "" : argv[0];
}

Json CaptureCode(Project& project, const ContextConfig& config, const CaptureOptions& options,
                 std::vector<std::string>* warnings) {
  Json code = Json::object();
  if (!options.argv.empty()) code["entry_point"] = EntryPoint(options.argv, options.cwd, project.root());
  auto head = project.repo().Head();
  if (head.ok()) {
    if (!head->branch.empty()) code["branch"] = head->branch;
    if (!head->commit.empty()) code["commit"] = head->commit;
  }
  const bool want_snapshot = config.Wants("code.snapshot") && !options.dry_run;
  git::SnapshotOptions opts;
  opts.dry_run = !want_snapshot;
  opts.skip_untracked_under = options.artifact_dirs;
  opts.secret_files = config.secret_files;
  git::Identity who = project.user();
  std::string message = "trail: code of " + options.run_id;
  auto snap = project.repo().SnapshotWorktree(opts, message, who);
  if (!snap.ok() && want_snapshot &&
      snap.status().message().find("unsupported mandatory extension") != std::string::npos) {
    snap = project.repo().SnapshotWorktreeWithGitCli(opts, message, who);
  }
  if (!snap.ok()) {
    warnings->push_back(std::string(want_snapshot ? "code snapshot" : "working tree status") +
                        " failed: " + snap.status().message());
    return code;
  }
  if (want_snapshot && !options.previous_snapshot.empty()) {
    std::vector<std::string> parents;
    if (head.ok() && !head->commit.empty()) parents.push_back(head->commit);
    parents.push_back(options.previous_snapshot);
    auto chained = project.repo().WriteCommitOnto(snap->commit, {}, parents, message, who);
    if (chained.ok())
      snap->commit = *chained;
    else
      warnings->push_back("the previous attempt's code snapshot " + options.previous_snapshot +
                          " is not kept reachable: " + chained.status().message());
  }
  if (want_snapshot) {
    code["snapshot"] = snap->commit;
    if (options.set_code_ref) {
      std::string ref = "refs/trail/code/" + options.run_id;
      if (project.repo().SetRef(ref, snap->commit, message).ok()) code["ref"] = ref;
    }
  }
  code["dirty"] = snap->dirty;
  if (!snap->changed.empty()) code["changed"] = snap->changed;
  if (!snap->skipped.empty()) code["skipped"] = snap->skipped;
  if (!snap->excluded.empty()) code["excluded"] = snap->excluded;
  return code;
}

}  // namespace

std::string RelativeTo(const std::string& root, const std::string& p) {
  std::optional<std::string> below = PathBelow(p, root);
  if (!below) return p;
  return below->empty() ? "." : *below;
}

Json CaptureContext(Project& project, const ContextConfig& config, const CaptureOptions& options,
                    std::vector<std::string>* warnings) {
  Json out = Json::object();
  git::Identity who = project.user();
  Json user = Json::object();
  user["name"] = who.name;
  if (!who.email.empty()) user["email"] = who.email;
  out["user"] = user;
  // The command as run, but without the values of secret options (--password X).
  if (!options.argv.empty()) out["command"] = MaskSecretArgs(options.argv);
  out["cwd"] = RelativeTo(project.root(), options.cwd);
  out["host"] = HostName();
  out["code"] = CaptureCode(project, config, options, warnings);

  // Table 3's environment: OS, CPU, memory, GPUs/TPUs (honouring the child's
  // CUDA_VISIBLE_DEVICES), and for Python commands the interpreter and the
  // framework versions, read without importing anything.
  // The program's sources are read and tokenized once, for the packages it
  // imports and the Table 1 functions it uses; skipped when neither is wanted.
  context::ContextEnv context_env = context::ContextEnv::FromProcess();
  for (const std::string& entry : options.env_overrides) {
    const size_t eq = entry.find('=');
    if (eq != std::string::npos && eq > 0) context_env.env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  context::ProgramSources sources;
  if (config.Wants("functions") || config.Wants("seeds") || config.Wants("environment.packages") ||
      config.Wants("environment.frameworks")) {
    sources = context::FindProgramSources(options.argv, options.cwd, project.root(), context_env, warnings);
  }
  Json env = context::CaptureEnvironment(options.argv, options.cwd, context_env, warnings, &sources);
  env["trail"] = TRAIL_VERSION;
  if (Json vars = context::DeterminismVariables(context_env.env); !vars.empty()) env["variables"] = std::move(vars);
  // The Python client is trail itself, not an installed distribution.
  if (env.contains("packages") && env["packages"].contains("unresolved")) {
    Json& unresolved = env["packages"]["unresolved"];
    for (auto it = unresolved.begin(); it != unresolved.end(); ++it) {
      if (*it == "trail") {
        unresolved.erase(it);
        env["packages"]["trail"] = TRAIL_VERSION;
        break;
      }
    }
    if (unresolved.empty()) env["packages"].erase("unresolved");
  }
  out["environment"] = env;
  if (!sources.files.empty() && config.Wants("functions")) out["functions"] = context::ScanFunctions(sources);
  if (!sources.files.empty() && config.Wants("seeds")) {
    if (Json seeds = context::ScanSeeds(sources); !seeds.empty()) out["seeds"] = std::move(seeds);
  }

  if (!config.custom.empty()) out["context"] = CaptureCustomFields(config, options.cwd, warnings);
  ApplyContextSelection(config, out);
  return out;
}

}  // namespace trail
