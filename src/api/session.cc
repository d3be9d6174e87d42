#include "trail/session.h"

#include "recording/session.h"

namespace trail::api {

Session::Session(std::unique_ptr<trail::RunSession> run) : run_(std::move(run)) {}
Session::~Session() = default;

StatusOr<std::unique_ptr<Session>> Session::Start(const SessionOptions& opts) {
  trail::SessionOptions o;
  o.name = opts.name;
  o.params = opts.params;
  o.tags = opts.tags;
  o.argv = opts.argv;
  o.cwd = opts.cwd;
  o.resume = opts.resume;
  o.force = opts.force;
  o.parent = opts.parent;
  auto run = RunSession::Start(o);
  if (!run.ok()) return run.status();
  return std::unique_ptr<Session>(new Session(std::move(*run)));
}

StatusOr<std::unique_ptr<Session>> Session::Join() {
  auto run = RunSession::Join();
  if (!run.ok()) return run.status();
  return std::unique_ptr<Session>(new Session(std::move(*run)));
}

const std::string& Session::id() const { return run_->id(); }
bool Session::joined() const { return run_->joined(); }
std::optional<int64_t> Session::resume_step() const { return run_->resume_step(); }

Status Session::LogMetric(std::string_view key, double value, std::optional<int64_t> step, std::optional<double> time) {
  return run_->LogMetric(key, value, step, time);
}
size_t Session::InternKey(std::string_view key) { return run_->InternKey(key); }
void Session::LogMetricById(size_t key_id, double value, std::optional<int64_t> step) {
  run_->LogMetricById(key_id, value, step);
}

Status Session::LogParams(const Json& params) { return run_->LogParams(params); }
Status Session::SetTags(const Json& tags) { return run_->SetTags(tags); }
Status Session::DeleteTag(std::string_view key) { return run_->DeleteTag(key); }
Status Session::LogFunction(std::string_view category, std::string_view name) {
  return run_->LogFunction(category, name);
}
Status Session::SetSeed(int64_t seed) { return run_->SetSeed(seed); }
Status Session::LogArtifact(const std::string& path, std::string_view role, std::string_view name) {
  return run_->LogArtifact(path, role, name);
}
Status Session::LogData(const std::string& role, const std::string& source, const DataOptions& options,
                        const std::string& label) {
  trail::DataOptions o;
  o.fraction = options.fraction;
  o.seed = options.seed;
  o.stratify = options.stratify;
  return run_->LogData(role, source, o, label);
}

Status Session::Flush() { return run_->Flush(); }
StatusOr<Json> Session::End(std::string_view status) { return run_->End(status); }
void Session::AbandonInChild() { run_->AbandonInChild(); }

std::string GuessArtifactRole(std::string_view path) { return trail::GuessArtifactRole(path); }

}  // namespace trail::api
