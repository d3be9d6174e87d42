// Server-Sent Events. /api/v1/runs/{id}/events streams a live run's new metric points and its
// end; /api/v1/events says when the runs branch or the set of live runs changes. A stream checks
// a project out of the pool for each poll only: it never holds one while it waits.
#include <chrono>
#include <thread>

#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace trail::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRunPoll = std::chrono::milliseconds(200);
constexpr auto kMinEventGap = std::chrono::milliseconds(250);
constexpr auto kProjectPoll = std::chrono::milliseconds(500);
constexpr auto kKeepalive = std::chrono::seconds(15);
// After a run's live folder is gone its record lands on the branch; wait this long for it.
constexpr auto kFinishGrace = std::chrono::seconds(10);

std::string Event(const char* name, const Json& data) {
  return std::string("event: ") + name + "\ndata: " + DumpJson(data) + "\n\n";
}

bool Write(httplib::DataSink& sink, const std::string& text) { return sink.write(text.data(), text.size()); }

// Sleeps `d` in small steps; false when the server is stopping.
bool Wait(const ServerState& state, Clock::duration d) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (state.stopping) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !state.stopping;
}

void SetStreamHeaders(httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache, no-store");
  res.set_header("X-Accel-Buffering", "no");
}

struct RunStream {
  std::string id;
  api::LiveCursor cursor;
  std::map<std::string, api::Series> pending;
  Clock::time_point last_event, last_write;
  std::optional<Clock::time_point> ended_at;  // when the live folder was found gone
  std::string final_status;                   // a finished run's: sent once, then the stream ends
};

void Merge(std::map<std::string, api::Series>* into, std::map<std::string, api::Series>&& more) {
  for (auto& [name, s] : more) {
    api::Series& dst = (*into)[name];
    dst.step.insert(dst.step.end(), s.step.begin(), s.step.end());
    dst.time.insert(dst.time.end(), s.time.begin(), s.time.end());
    dst.value.insert(dst.value.end(), s.value.begin(), s.value.end());
  }
}

std::string PointsEvent(const std::map<std::string, api::Series>& pending) {
  Json metrics = Json::object();
  for (const auto& [name, s] : pending) metrics[name] = {{"step", s.step}, {"time", s.time}, {"value", s.value}};
  return Event("points", {{"metrics", std::move(metrics)}});
}

// One poll of a live run: new points, and whether it has ended (then its record's status).
Status PollRun(ServerState& state, RunStream& stream) {
  TRAIL_ASSIGN_OR_RETURN(ProjectPool::Lease lease, state.pool.Acquire());
  TRAIL_ASSIGN_OR_RETURN(api::LivePoints points, api::ReadLivePoints(*lease, stream.id, &stream.cursor));
  Merge(&stream.pending, std::move(points.metrics));
  if (points.running) return Status::Ok();
  if (!stream.ended_at) stream.ended_at = Clock::now();
  auto run = api::LoadRun(*lease, stream.id);
  if (run.ok()) {
    stream.final_status = run->record.value("status", "finished");
  } else if (Clock::now() - *stream.ended_at > kFinishGrace) {
    stream.final_status = "unknown";
  }
  return Status::Ok();
}

bool StepRunStream(ServerState& state, RunStream& stream, httplib::DataSink& sink) {
  if (!stream.final_status.empty()) {
    if (!stream.pending.empty()) Write(sink, PointsEvent(stream.pending));
    Write(sink, Event("finished", {{"status", stream.final_status}}));
    sink.done();
    return true;
  }
  if (!Wait(state, kRunPoll)) {
    sink.done();
    return true;
  }
  Status s = PollRun(state, stream);
  if (!s.ok()) {
    Write(sink, Event("error", {{"message", s.message()}}));
    sink.done();
    return true;
  }
  const auto now = Clock::now();
  if (!stream.pending.empty() && now - stream.last_event >= kMinEventGap && stream.final_status.empty()) {
    if (!Write(sink, PointsEvent(stream.pending))) return false;
    stream.pending.clear();
    stream.last_event = stream.last_write = now;
  }
  if (now - stream.last_write >= kKeepalive) {
    if (!Write(sink, ": keepalive\n\n")) return false;
    stream.last_write = now;
  }
  return true;
}

void GetRunEvents(ServerState* state, const httplib::Request& req, httplib::Response& res) {
  auto stream = std::make_shared<RunStream>();
  stream->id = req.matches[1];
  Status s = [&]() -> Status {
    TRAIL_RETURN_IF_ERROR(CheckRunRef(stream->id));
    TRAIL_ASSIGN_OR_RETURN(ProjectPool::Lease lease, state->pool.Acquire());
    auto run = api::LoadRun(*lease, stream->id);
    if (run.ok()) {
      stream->id = run->record.value("id", stream->id);
      stream->final_status = run->record.value("status", "finished");
      return Status::Ok();
    }
    if (run.status().code() != Code::kNotFound) return run.status();
    auto live = api::LoadLiveRun(*lease, stream->id);
    if (!live.ok()) return run.status();  // neither stored nor live: unknown
    stream->id = live->value("id", stream->id);
    // The stream carries the points written from now on: the chart has loaded the ones before.
    TRAIL_ASSIGN_OR_RETURN(api::LivePoints skipped, api::ReadLivePoints(*lease, stream->id, &stream->cursor));
    (void)skipped;
    return Status::Ok();
  }();
  if (!s.ok()) {
    SendError(res, s);
    return;
  }
  SetStreamHeaders(res);
  stream->last_write = stream->last_event = Clock::now();
  auto first = std::make_shared<bool>(true);
  res.set_chunked_content_provider("text/event-stream", [state, stream, first](size_t, httplib::DataSink& sink) {
    if (*first) {
      *first = false;
      if (stream->final_status.empty() && !Write(sink, Event("status", {{"status", "running"}}))) return false;
    }
    return StepRunStream(*state, *stream, sink);
  });
}

struct ProjectStream {
  api::ProjectState last;
  Clock::time_point last_write;
};

void GetProjectEvents(ServerState* state, const httplib::Request&, httplib::Response& res) {
  auto stream = std::make_shared<ProjectStream>();
  {
    auto lease = state->pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto current = api::ReadProjectState(**lease);
    if (!current.ok()) return SendError(res, current.status());
    stream->last = std::move(current).value();
  }
  SetStreamHeaders(res);
  stream->last_write = Clock::now();
  res.set_chunked_content_provider("text/event-stream", [state, stream](size_t offset, httplib::DataSink& sink) {
    // The state at connect first: a page that listed the runs before its stream opened would
    // otherwise miss a change made in between (a run started then shows as running only at the
    // next change, which may never come). A client refreshes on every `changed`.
    if (offset == 0) {
      return Write(sink, Event("changed", {{"tip", stream->last.tip}, {"live", stream->last.live}, {"initial", true}}));
    }
    if (!Wait(*state, kProjectPoll)) {
      sink.done();
      return true;
    }
    StatusOr<api::ProjectState> current = Status(Code::kInternal, "");
    {
      auto lease = state->pool.Acquire();
      if (!lease.ok()) return Write(sink, Event("error", {{"message", lease.status().message()}}));
      current = api::ReadProjectState(**lease);
    }
    const auto now = Clock::now();
    if (current.ok() && (current->tip != stream->last.tip || current->live != stream->last.live)) {
      stream->last = std::move(current).value();
      stream->last_write = now;
      return Write(sink, Event("changed", {{"tip", stream->last.tip}, {"live", stream->last.live}}));
    }
    if (now - stream->last_write >= kKeepalive) {
      stream->last_write = now;
      return Write(sink, ": keepalive\n\n");
    }
    return true;
  });
}

}  // namespace

void RegisterEventRoutes(Router& router) {
  ServerState* state = &router.state();
  router.GetRaw(R"(/api/v1/runs/([^/]+)/events)",
                [state](const httplib::Request& req, httplib::Response& res) { GetRunEvents(state, req, res); });
  router.GetRaw("/api/v1/events",
                [state](const httplib::Request& req, httplib::Response& res) { GetProjectEvents(state, req, res); });
}

}  // namespace trail::server
