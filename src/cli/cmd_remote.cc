// trail remote / push / fetch / pull: the object store's remotes (docs/remotes.md).
#include <cstdio>
#include <mutex>

#include "commands.h"
#include "trail/format.h"
#include "trail/sync.h"

namespace trail::cli {
namespace {

// The sync API reports bytes moved through a callback, from worker threads: one phase of the
// progress line, begun at the first call (which brings the total).
class ByteProgress {
 public:
  ByteProgress(std::unique_ptr<ProgressBar> bar, const char* title) : bar_(std::move(bar)), title_(title) {}

  void Update(uint64_t done, uint64_t total) {
    if (!bar_) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (!begun_) {
      bar_->Begin(title_, "", 0, total);
      begun_ = true;
    }
    if (done > reported_) {
      bar_->Advance(0, done - reported_);
      reported_ = done;
    }
  }

  ~ByteProgress() {
    if (begun_) bar_->End();
  }

 private:
  std::unique_ptr<ProgressBar> bar_;
  const char* title_;
  std::mutex mu_;
  bool begun_ = false;
  uint64_t reported_ = 0;
};

struct SyncFlags {
  std::string remote;      // -r / --remote
  std::string positional;  // `trail push REMOTE` (pull takes it from its paths)
  int jobs = 4;
  bool no_git = false;
  std::string format = "text";
  ProgressOptions progress;
  bool json() const { return format == "json"; }
};

void AddSyncFlags(CLI::App& sub, SyncFlags& flags) {
  sub.add_option("-r,--remote", flags.remote,
                 "the remote to use (default: trail remote default's, else the only one, else origin)");
  sub.add_option("-j,--jobs", flags.jobs, "packs moved at once (default 4)")->check(CLI::Range(1, 64));
  sub.add_flag("--no-git", flags.no_git, "leave the Git runs branch and refs/trail/* alone");
  AddFormatOption(sub, flags.format);
  AddProgressFlags(sub, flags.progress);
}

// The remote named both ways must be the same one.
Status ResolveRemote(SyncFlags& flags) {
  if (flags.positional.empty()) return Status::Ok();
  if (!flags.remote.empty() && flags.remote != flags.positional)
    return InvalidArgument("two remotes named: " + flags.positional + " and -r " + flags.remote);
  flags.remote = flags.positional;
  return Status::Ok();
}

std::string Rate(uint64_t bytes, double seconds) {
  const double mbps = seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, mbps >= 10 ? "%.0f MB/s" : "%.1f MB/s", mbps);
  return buf;
}

std::string Packs(size_t n) { return std::to_string(n) + (n == 1 ? " pack" : " packs"); }

// "pushed 3 packs (192 MiB) to s3://bucket/x in 1.2 s (160 MB/s); 5 already there"
void PrintSummary(const char* verb, const char* direction, const api::SyncReport& r) {
  const std::string& where = r.where;
  if (r.packs_moved == 0) {
    std::printf("nothing to %s: %s and this store both have all %s\n", verb, where.c_str(),
                Packs(r.packs_already).c_str());
    return;
  }
  std::printf("%sed %s (%s) %s %s in %.1f s (%s); %zu already there\n", verb, Packs(r.packs_moved).c_str(),
              api::FormatBytes(r.bytes_moved).c_str(), direction, where.c_str(), r.seconds,
              Rate(r.bytes_moved, r.seconds).c_str(), r.packs_already);
}

// The JSON form of a push or fetch (docs/json.md); "runs" is null with --no-git.
Json SyncJson(const api::SyncReport& r) {
  return Json{{"remote", r.remote},           {"where", api::RedactUrlSecrets(r.where)},
              {"runs_only", false},           {"packs_moved", r.packs_moved},
              {"bytes_moved", r.bytes_moved}, {"packs_already", r.packs_already},
              {"seconds", r.seconds},         {"runs", nullptr}};
}
Json RunsJson(const api::RunsSyncReport& g) {
  return Json{{"ok", g.ok}, {"message", api::RedactUrlSecrets(g.message)}};
}

void ReportGit(const api::RunsSyncReport& g, const SyncFlags& flags, Json& json) {
  if (flags.json()) {
    json["runs"] = RunsJson(g);
    if (!g.ok) PrintWarning(g.message);
  } else if (!g.ok) {
    PrintWarning(g.message);
  } else {
    std::printf("%s\n", g.message.c_str());
  }
}

// A project with no store remote (its runs only, no tracked data) still shares its runs through
// the Git remote origin: true when that is the case here.
bool RunsOnly(api::Project& project, const SyncFlags& flags) {
  if (!flags.remote.empty() || flags.no_git) return false;
  return api::SharesRunsOnly(project);
}

// The Git half alone: there is nothing else to move, so a failure fails the command.
int SyncRunsOnly(const api::RunsSyncReport& g, const char* verb, const SyncFlags& flags, Json& json) {
  if (flags.json()) {
    json = Json{{"remote", "origin"}, {"where", nullptr},   {"runs_only", true}, {"packs_moved", 0},
                {"bytes_moved", 0},   {"packs_already", 0}, {"seconds", 0},      {"runs", RunsJson(g)}};
  } else {
    std::printf("no store remote configured: no packs %s (trail remote add NAME URL adds one)\n", verb);
  }
  if (!g.ok) {
    PrintError(g.message);
    return 1;
  }
  if (!flags.json()) std::printf("%s\n", g.message.c_str());
  return 0;
}

// Fetches packs (and, unless --no-git, the Git refs); the shared half of fetch and pull. With
// --format json, the report goes into `json` for the caller to print.
int Fetch(api::Project& project, const SyncFlags& flags, Json& json) {
  if (RunsOnly(project, flags))
    return SyncRunsOnly(api::SyncRuns(project, "origin", api::Direction::kFetch), "fetched", flags, json);
  StatusOr<api::SyncReport> fetched = [&] {
    ByteProgress line(MakeProgress(flags.progress, flags.json()), "Downloading packs");
    api::SyncRequest request{flags.remote, flags.jobs,
                             [&line](uint64_t done, uint64_t total) { line.Update(done, total); }};
    return api::FetchPacks(project, request);
  }();
  if (!fetched.ok()) return Fail(fetched.status());
  if (flags.json())
    json = SyncJson(*fetched);
  else
    PrintSummary("fetch", "from", *fetched);
  if (!flags.no_git) ReportGit(api::SyncRuns(project, fetched->remote, api::Direction::kFetch), flags, json);
  return 0;
}

Json RemoteJson(const api::Remote& r) {
  Json settings = Json::object();
  for (const auto& [key, value] : r.settings) settings[key] = api::RedactUrlSecrets(value);
  return Json{
      {"name", r.name}, {"url", api::RedactUrlSecrets(r.url)}, {"default", r.is_default}, {"settings", settings}};
}

}  // namespace

std::function<int()> SetupRemote(CLI::App& sub) {
  struct Opts {
    std::string name, url, key, value, format = "text";
    bool force = false, unset = false;
  };
  auto o = std::make_shared<Opts>();
  sub.require_subcommand(1);
  CLI::App* add =
      sub.add_subcommand("add", "add a remote: trail remote add NAME URL (/path, file:///path, s3://bucket/prefix)");
  add->add_option("name", o->name, "the remote's name (origin is the default one)")->required();
  add->add_option("url", o->url, "where the store goes: /abs/path, file:///abs/path or s3://bucket[/prefix]")
      ->required();
  add->add_flag("-f,--force", o->force, "replace the URL of an existing remote");
  CLI::App* ls = sub.add_subcommand("ls", "list the remotes: name, URL, settings; (default) marks the default");
  ls->alias("list");
  AddFormatOption(*ls, o->format);
  CLI::App* rm = sub.add_subcommand("rm", "remove a remote (its stored packs are left alone)");
  rm->alias("remove");
  rm->add_option("name", o->name, "the remote to remove")->required();
  CLI::App* def = sub.add_subcommand("default", "the remote push, fetch and pull use without a name");
  def->add_option("name", o->name, "the remote to make the default")->required();
  CLI::App* modify = sub.add_subcommand(
      "modify", "set an S3 remote's own endpoint, profile or region: trail remote modify NAME KEY VALUE");
  modify->add_option("name", o->name, "the remote")->required();
  modify->add_option("key", o->key, "endpoint (http(s)://host:port), profile (of ~/.aws) or region")->required();
  modify->add_option("value", o->value, "the value; it wins over the AWS_* environment and ~/.aws/config");
  modify->add_flag("-u,--unset", o->unset, "remove the setting (then no VALUE)");
  return [o, add, ls, rm, def, modify] {
    auto project = OpenProject();
    if (!project) return 1;
    if (add->parsed()) {
      StatusOr<std::string> url = api::AddRemote(*project, o->name, o->url, o->force);
      if (!url.ok()) return Fail(url.status());
      std::printf("remote %s: %s\n", o->name.c_str(), api::RedactUrlSecrets(*url).c_str());
      return 0;
    }
    if (rm->parsed()) {
      Status removed = api::RemoveRemote(*project, o->name);
      if (!removed.ok()) return Fail(removed);
      std::printf("removed remote %s\n", o->name.c_str());
      return 0;
    }
    if (def->parsed()) {
      Status set = api::SetDefaultRemote(*project, o->name);
      if (!set.ok()) return Fail(set);
      std::printf("default remote: %s\n", o->name.c_str());
      return 0;
    }
    if (modify->parsed()) {
      if (o->unset == !o->value.empty())
        return Fail(InvalidArgument(o->unset ? "--unset takes no VALUE" : "usage: trail remote modify NAME KEY VALUE"));
      Status set = api::ModifyRemote(*project, o->name, o->key, o->value);
      if (!set.ok()) return Fail(set);
      if (o->unset)
        std::printf("remote %s: %s unset\n", o->name.c_str(), o->key.c_str());
      else
        std::printf("remote %s: %s = %s\n", o->name.c_str(), o->key.c_str(), api::RedactUrlSecrets(o->value).c_str());
      return 0;
    }
    if (ls->parsed()) {
      StatusOr<std::vector<api::Remote>> remotes = api::ListRemotes(*project);
      if (!remotes.ok()) return Fail(remotes.status());
      if (o->format == "json") {
        Json all = Json::array();
        for (const api::Remote& r : *remotes) all.push_back(RemoteJson(r));
        PrintJson(all);
        return 0;
      }
      // name TAB url [TAB key=value ...] [TAB (default)]: settings only where set.
      for (const api::Remote& r : *remotes) {
        std::string line = r.name + "\t" + api::RedactUrlSecrets(r.url);
        for (const auto& [key, value] : r.settings) line += "\t" + key + "=" + api::RedactUrlSecrets(value);
        if (r.is_default) line += "\t(default)";
        std::printf("%s\n", line.c_str());
      }
      return 0;
    }
    return 0;
  };
}

std::function<int()> SetupPush(CLI::App& sub) {
  auto flags = std::make_shared<SyncFlags>();
  AddSyncFlags(sub, *flags);
  sub.add_option("remote", flags->positional, "the remote to push to (as -r REMOTE)");
  return [flags] {
    if (Status s = ResolveRemote(*flags); !s.ok()) return Fail(s);
    auto project = OpenProject();
    if (!project) return 1;
    Json json;
    if (RunsOnly(*project, *flags)) {
      int rc = SyncRunsOnly(api::SyncRuns(*project, "origin", api::Direction::kPush), "pushed", *flags, json);
      if (flags->json() && rc == 0) PrintJson(json);
      return rc;
    }
    StatusOr<api::SyncReport> pushed = [&] {
      ByteProgress line(MakeProgress(flags->progress, flags->json()), "Uploading packs");
      api::SyncRequest request{flags->remote, flags->jobs,
                               [&line](uint64_t done, uint64_t total) { line.Update(done, total); }};
      return api::PushPacks(*project, request);
    }();
    if (!pushed.ok()) return Fail(pushed.status());
    if (flags->json())
      json = SyncJson(*pushed);
    else
      PrintSummary("push", "to", *pushed);
    if (!flags->no_git) ReportGit(api::SyncRuns(*project, pushed->remote, api::Direction::kPush), *flags, json);
    if (flags->json()) PrintJson(json);
    return 0;
  };
}

std::function<int()> SetupFetch(CLI::App& sub) {
  auto flags = std::make_shared<SyncFlags>();
  AddSyncFlags(sub, *flags);
  sub.add_option("remote", flags->positional, "the remote to fetch from (as -r REMOTE)");
  return [flags] {
    if (Status s = ResolveRemote(*flags); !s.ok()) return Fail(s);
    auto project = OpenProject();
    if (!project) return 1;
    Json json;
    int rc = Fetch(*project, *flags, json);
    if (flags->json() && rc == 0) PrintJson(json);
    return rc;
  };
}

std::function<int()> SetupPull(CLI::App& sub) {
  auto flags = std::make_shared<SyncFlags>();
  auto paths = std::make_shared<std::vector<std::string>>();
  AddSyncFlags(sub, *flags);
  sub.add_option("paths", *paths,
                 "[REMOTE] then tracked data or pointer files to restore (default: every pointer); the first is "
                 "the remote when it names one");
  return [flags, paths] {
    auto project = OpenProject();
    if (!project) return 1;
    // `trail pull backup [PATH...]`, as git pull takes its remote first.
    if (!paths->empty()) {
      StatusOr<std::vector<api::Remote>> remotes = api::ListRemotes(*project);
      if (!remotes.ok()) return Fail(remotes.status());
      for (const api::Remote& r : *remotes) {
        if (r.name != paths->front()) continue;
        flags->positional = r.name;
        paths->erase(paths->begin());
        break;
      }
    }
    if (Status s = ResolveRemote(*flags); !s.ok()) return Fail(s);
    Json json;
    if (int rc = Fetch(*project, *flags, json); rc != 0) return rc;
    if (!flags->json()) {
      auto bar = MakeProgress(flags->progress, /*json=*/false);
      return CheckoutAndReport(*project, *paths, /*force=*/false, nullptr, bar.get());
    }
    Json checkout;
    int rc = CheckoutAndReport(*project, *paths, /*force=*/false, &checkout);
    if (checkout.is_null()) return rc;  // the checkout could not run: its error is on stderr
    json["checkout"] = checkout;
    PrintJson(json);
    return rc;
  };
}

}  // namespace trail::cli
