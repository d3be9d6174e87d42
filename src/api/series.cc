// STUB (the contract for the UI work): the series helper replaces every function here.
#include "trail/series.h"

namespace trail::api {

StatusOr<std::shared_ptr<const Series>> LoadSeries(Project&, const StoredRun&, const std::string&) {
  return Internal("LoadSeries: not implemented yet");
}
Downsampled Downsample(const Series&, const DownsampleRequest&) { return {}; }
StatusOr<Json> LoadLiveRun(Project&, const std::string&) { return Internal("LoadLiveRun: not implemented yet"); }
StatusOr<LivePoints> ReadLivePoints(Project&, const std::string&, LiveCursor*) {
  return Internal("ReadLivePoints: not implemented yet");
}
StatusOr<ProjectState> ReadProjectState(Project&) { return Internal("ReadProjectState: not implemented yet"); }

}  // namespace trail::api
