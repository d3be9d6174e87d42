#include "cluster/slurm.h"

#include <algorithm>
#include <chrono>

#include "process/program.h"

namespace trail::cluster {
namespace {

constexpr std::chrono::milliseconds kCommandTimeout{30000};

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status CheckValue(const std::string& name, const std::string& value) {
  if (HasControl(value)) return InvalidArgument(name + ": a control character or newline in \"" + value + "\"");
  return Status::Ok();
}

// Runs a Slurm command by argv, its output captured.
StatusOr<process::ProgramOutput> RunSlurm(std::vector<std::string> argv) {
  process::Program p;
  p.argv = std::move(argv);
  p.search_path = true;
  p.out = process::Stream::kCapture;
  p.err = process::Stream::kCapture;
  process::OutputLimits limits;
  limits.timeout = kCommandTimeout;
  limits.max_bytes = 1 << 20;
  auto out = process::RunProgram(p, limits);
  if (!out.ok()) return FailedPrecondition(out.status().message() + " (is Slurm installed here?)");
  return out;
}

std::string FirstLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

// "JobState=RUNNING Reason=None ..." -> the value of `key`, up to the next space.
std::string Field(std::string_view line, std::string_view key) {
  size_t at = 0;
  while ((at = line.find(key, at)) != std::string_view::npos) {
    if ((at == 0 || line[at - 1] == ' ') && at + key.size() < line.size() && line[at + key.size()] == '=') {
      size_t start = at + key.size() + 1;
      size_t end = line.find(' ', start);
      return std::string(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    }
    at += key.size();
  }
  return "";
}

}  // namespace

Status CheckSlurmOptions(const SlurmOptions& o) {
  TRAIL_RETURN_IF_ERROR(CheckValue("partition", o.partition));
  TRAIL_RETURN_IF_ERROR(CheckValue("time", o.time));
  TRAIL_RETURN_IF_ERROR(CheckValue("mem", o.mem));
  TRAIL_RETURN_IF_ERROR(CheckValue("gres", o.gres));
  TRAIL_RETURN_IF_ERROR(CheckValue("account", o.account));
  if (o.cpus < 0) return InvalidArgument("cpus: expected a positive number, got " + std::to_string(o.cpus));
  for (const std::string& a : o.sbatch_args) {
    TRAIL_RETURN_IF_ERROR(CheckValue("sbatch_args", a));
    if (a.empty() || a[0] != '-') return InvalidArgument("sbatch_args: \"" + a + "\" is not an option (--name=value)");
  }
  return Status::Ok();
}

StatusOr<SlurmOptions> SlurmOptionsFromJson(const Json& block, const std::string& where) {
  SlurmOptions o;
  if (block.is_null()) return o;
  if (!block.is_object()) return InvalidArgument(where + ": expected a mapping");
  for (auto it = block.begin(); it != block.end(); ++it) {
    const std::string key = where + "." + it.key();
    const Json& v = it.value();
    auto text = [&](std::string& out) -> Status {
      if (v.is_string())
        out = v.get<std::string>();
      else if (v.is_number_integer())
        out = std::to_string(v.get<int64_t>());
      else
        return InvalidArgument(key + ": expected a string");
      return Status::Ok();
    };
    if (it.key() == "partition") {
      TRAIL_RETURN_IF_ERROR(text(o.partition));
    } else if (it.key() == "time") {
      TRAIL_RETURN_IF_ERROR(text(o.time));
    } else if (it.key() == "mem") {
      TRAIL_RETURN_IF_ERROR(text(o.mem));
    } else if (it.key() == "gres") {
      TRAIL_RETURN_IF_ERROR(text(o.gres));
    } else if (it.key() == "account") {
      TRAIL_RETURN_IF_ERROR(text(o.account));
    } else if (it.key() == "cpus") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1) return InvalidArgument(key + ": expected a positive integer");
      o.cpus = v.get<int64_t>();
    } else if (it.key() == "sbatch_args") {
      if (!v.is_array()) return InvalidArgument(key + ": expected a list of options");
      for (const Json& a : v) {
        if (!a.is_string()) return InvalidArgument(key + ": expected a list of options");
        o.sbatch_args.push_back(a.get<std::string>());
      }
    } else {
      return InvalidArgument(key + ": unknown key (partition, time, cpus, mem, gres, account, sbatch_args)");
    }
  }
  Status s = CheckSlurmOptions(o);
  if (!s.ok()) return InvalidArgument(where + "." + s.message());
  return o;
}

Json SlurmOptionsToJson(const SlurmOptions& o) {
  Json j = Json::object();
  if (!o.partition.empty()) j["partition"] = o.partition;
  if (!o.time.empty()) j["time"] = o.time;
  if (o.cpus > 0) j["cpus"] = o.cpus;
  if (!o.mem.empty()) j["mem"] = o.mem;
  if (!o.gres.empty()) j["gres"] = o.gres;
  if (!o.account.empty()) j["account"] = o.account;
  if (!o.sbatch_args.empty()) j["sbatch_args"] = o.sbatch_args;
  return j;
}

std::string ShellQuote(std::string_view word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string BatchScript(const SlurmOptions& o, const BatchJob& job) {
  std::string s = "#!/bin/sh\n# Written by trail (docs/cluster.md): runs `trail run` on the job's node.\n";
  auto sbatch = [&s](const std::string& option) { s += "#SBATCH " + option + "\n"; };
  if (!job.name.empty()) sbatch("--job-name=" + job.name);
  sbatch("--output=" + job.log_path);
  sbatch("--chdir=" + job.workdir);
  sbatch("--ntasks=1");
  // A job Slurm requeued (after a node failure) would run the script again for a run already
  // recorded: the run is recorded failed with the reason instead, and the driver or the user
  // runs it again. `--requeue` in sbatch_args (later, so it wins) turns this off.
  sbatch("--no-requeue");
  if (!o.partition.empty()) sbatch("--partition=" + o.partition);
  if (!o.time.empty()) sbatch("--time=" + o.time);
  if (o.cpus > 0) sbatch("--cpus-per-task=" + std::to_string(o.cpus));
  if (!o.mem.empty()) sbatch("--mem=" + o.mem);
  if (!o.gres.empty()) sbatch("--gres=" + o.gres);
  if (!o.account.empty()) sbatch("--account=" + o.account);
  for (const std::string& a : o.sbatch_args) sbatch(a);
  for (const std::string& e : job.env) {
    size_t eq = e.find('=');
    s += "export " + e.substr(0, eq) + "=" + ShellQuote(e.substr(eq + 1)) + "\n";
  }
  s += "cd " + ShellQuote(job.workdir) + " || exit 1\nexec";
  for (const std::string& w : job.argv) s += " " + ShellQuote(w);
  return s + "\n";
}

StatusOr<std::string> SubmitBatch(const std::string& script_path) {
  TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, RunSlurm({"sbatch", "--parsable", script_path}));
  std::string id = FirstLine(out.out);
  if (size_t semi = id.find(';'); semi != std::string::npos) id.resize(semi);  // "id;cluster"
  if (out.exit_code != 0 || id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit)) {
    std::string why = FirstLine(out.err);
    return FailedPrecondition("sbatch refused the job: " + (why.empty() ? FirstLine(out.out) : why));
  }
  return id;
}

JobInfo ParseJobLine(std::string_view line) {
  JobInfo info;
  info.state = Field(line, "JobState");
  info.known = !info.state.empty();
  info.reason = Field(line, "Reason");
  info.exit_code = Field(line, "ExitCode");
  info.node = Field(line, "BatchHost");
  return info;
}

StatusOr<JobInfo> QueryJob(const std::string& job_id) {
  TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, RunSlurm({"scontrol", "show", "job", "-o", job_id}));
  if (out.exit_code != 0) {
    // "slurm_load_jobs error: Invalid job id specified": ended long enough ago to be forgotten.
    if (out.err.find("Invalid job id") != std::string::npos) return JobInfo{};
    return FailedPrecondition("scontrol show job " + job_id + ": " + FirstLine(out.err));
  }
  return ParseJobLine(FirstLine(out.out));
}

Status CancelJob(const std::string& job_id) {
  TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, RunSlurm({"scancel", job_id}));
  if (out.exit_code != 0 && out.err.find("Invalid job id") == std::string::npos &&
      out.err.find("already completing") == std::string::npos) {
    return FailedPrecondition("scancel " + job_id + ": " + FirstLine(out.err));
  }
  return Status::Ok();
}

bool JobActive(const std::string& s) {
  static const char* const kActive[] = {"PENDING",      "RUNNING",     "CONFIGURING",  "COMPLETING", "REQUEUED",
                                        "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING",     "SUSPENDED",  "STOPPED",
                                        "SIGNALING",    "STAGE_OUT",   "RESV_DEL_HOLD"};
  return std::any_of(std::begin(kActive), std::end(kActive), [&](const char* a) { return s == a; });
}

std::optional<JobVerdict> VerdictOf(const std::string& job_id, const JobInfo& info) {
  if (!info.known) return JobVerdict{"crashed", "Slurm job " + job_id + " ended unseen (no longer known to Slurm)"};
  const std::string& s = info.state;
  std::string why = "Slurm job " + job_id + " " + s;
  if (!info.reason.empty() && info.reason != "None") why += " (" + info.reason + ")";
  if (s == "CANCELLED") return JobVerdict{"killed", why + ": cancelled (scancel)"};
  if (s == "TIMEOUT") return JobVerdict{"failed", why + ": reached its time limit"};
  if (s == "NODE_FAIL") return JobVerdict{"failed", why + ": its node failed"};
  if (s == "OUT_OF_MEMORY") return JobVerdict{"failed", why + ": ran out of memory"};
  if (s == "PREEMPTED") return JobVerdict{"failed", why + ": preempted"};
  if (s == "BOOT_FAIL" || s == "DEADLINE" || s == "FAILED") return JobVerdict{"failed", why};
  return std::nullopt;
}

}  // namespace trail::cluster
