// The library's RunObserver (recording/recorder.h), forwarding to the front end's
// (trail/recording.h): used wherever the API records a run. Only src/api uses it.
#pragma once

#include "recording/recorder.h"
#include "trail/recording.h"

namespace trail::api {

class RunObserverAdapter : public trail::RunObserver {
 public:
  explicit RunObserverAdapter(api::RunObserver& to) : to_(to) {}
  void Started(const std::string& id) override { to_.Started(id); }
  void Finished(const Json& record) override { to_.Finished(record); }
  void Warning(const std::string& message) override { to_.Warning(message); }
  void Error(const std::string& message) override { to_.Error(message); }

 private:
  api::RunObserver& to_;
};

}  // namespace trail::api
