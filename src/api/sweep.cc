#include "trail/sweep.h"

#include "api/project_access.h"
#include "base/files.h"
#include "base/yaml.h"
#include "sweep/driver.h"
#include "sweep/spec.h"
#include "sweep/sweep_store.h"

namespace trail::api {
namespace {

class ObserverAdapter : public sweep::SweepObserver {
 public:
  explicit ObserverAdapter(api::SweepObserver& to) : to_(to) {}
  void Started(const Json& s) override { to_.Started(s); }
  void TrialStarted(const std::string& id, const Json& params) override { to_.TrialStarted(id, params); }
  void TrialFinished(const Json& t) override { to_.TrialFinished(t); }
  void Warning(const std::string& message) override { to_.Warning(message); }

 private:
  api::SweepObserver& to_;
};

StatusOr<sweep::Spec> ReadSpec(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return NotFound("cannot read sweep spec " + path + ": " + text.status().message());
  auto json = ParseYaml(*text, path);
  if (!json.ok()) return json.status();
  auto spec = sweep::ParseSpec(*json);
  if (!spec.ok()) return spec.status().WithContext(path);
  return spec;
}

sweep::DriverOptions Driver(const SweepOptions& options) {
  sweep::DriverOptions driver;
  driver.trail_exe = options.trail_exe;
  driver.quiet = options.quiet;
  return driver;
}

}  // namespace

StatusOr<SweepPlan> CheckSweepSpec(const std::string& spec_path) {
  auto spec = ReadSpec(spec_path);
  if (!spec.ok()) return spec.status();
  SweepPlan plan;
  plan.strategy = spec->strategy;
  plan.trials = spec->trials;
  plan.parallel = spec->parallel;
  for (const auto& d : spec->space.dims) plan.dims.push_back(d.name);
  return plan;
}

StatusOr<Json> RunSweep(Project& project, const std::string& spec_path, const SweepOptions& options,
                        SweepObserver& observer) {
  auto spec = ReadSpec(spec_path);
  if (!spec.ok()) return spec.status();
  ObserverAdapter adapter(observer);
  return sweep::RunSweep(ProjectAccess::Of(project), *spec, Driver(options), adapter);
}

StatusOr<Json> ResumeSweep(Project& project, const std::string& id, const SweepOptions& options,
                           SweepObserver& observer) {
  ObserverAdapter adapter(observer);
  return sweep::ResumeSweep(ProjectAccess::Of(project), id, Driver(options), adapter);
}

StatusOr<Json> LoadSweep(Project& project, const std::string& id) {
  return sweep::LoadSweep(ProjectAccess::Of(project), id);
}

StatusOr<std::vector<Json>> ListSweeps(Project& project) { return sweep::ListSweeps(ProjectAccess::Of(project)); }

}  // namespace trail::api
