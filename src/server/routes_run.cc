// One run: /api/v1/runs/{id} (stored or live), its output, its tags and notes (writes), and the
// first rows of a data input.
#include <sstream>

#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/browse.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace trail::server {
namespace {

constexpr int64_t kMaxHeadBytes = 1 << 20;  // read at most this much of a file for its first rows

Status GetRun(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  auto run = api::LoadRun(project, ref);
  if (run.ok()) {
    SendJson(res, {{"id", run->record.value("id", ref)},
                   {"live", false},
                   {"record", run->record},
                   {"dir", run->dir},
                   {"tip", run->tip}});
    return Status::Ok();
  }
  if (run.status().code() != Code::kNotFound) return run.status();
  // Not on the branch: a run still in progress has only its start record.
  // Neither stored nor live: the branch's NotFound names the run.
  auto live = api::LoadLiveRun(project, ref);
  if (!live.ok()) return run.status();
  SendJson(res, {{"id", live->value("id", ref)}, {"live", true}, {"record", *live}});
  return Status::Ok();
}

Status GetOutput(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  TRAIL_ASSIGN_OR_RETURN(std::string text, api::ReadRunOutput(project, run));
  res.set_content(text, kTextType);
  return Status::Ok();
}

Status PostTags(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_ASSIGN_OR_RETURN(Json body, JsonBody(req));
  std::vector<std::string> set, remove;
  if (body.contains("set")) {
    if (!body["set"].is_object()) return InvalidArgument("\"set\" must be an object of tags");
    for (const auto& [key, value] : body["set"].items()) {
      // Tag values are text, as on the command line (trail tag ID k=v).
      set.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : DumpJson(value)));
    }
  }
  if (body.contains("remove")) {
    if (!body["remove"].is_array()) return InvalidArgument("\"remove\" must be a list of tag names");
    for (const Json& key : body["remove"]) {
      if (!key.is_string()) return InvalidArgument("\"remove\" must be a list of tag names");
      remove.push_back(key.get<std::string>());
    }
  }
  TRAIL_ASSIGN_OR_RETURN(api::TagEdit edit, api::ParseTagEdit(set, remove));
  TRAIL_RETURN_IF_ERROR(api::TagRun(project, ref, edit));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  SendJson(res, {{"tags", run.record.value("tags", Json::object())}});
  return Status::Ok();
}

Status PostNotes(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_ASSIGN_OR_RETURN(Json body, JsonBody(req));
  if (!body.contains("text") || !body["text"].is_string() || body["text"].get<std::string>().empty()) {
    return InvalidArgument("\"text\" must be the note, a non-empty string");
  }
  TRAIL_RETURN_IF_ERROR(api::AddNote(project, ref, body["text"].get<std::string>()));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  SendJson(res, {{"notes", run.record.value("notes", Json::array())}});
  return Status::Ok();
}

// Splits one line of CSV/TSV (RFC 4180 quotes; a quoted field spanning lines is cut at the line).
std::vector<std::string> SplitRow(const std::string& line, char delimiter) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == delimiter) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r' || i + 1 != line.size()) {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

Status GetDataHead(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1], role = req.matches[2];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  TRAIL_ASSIGN_OR_RETURN(int64_t rows, IntParam(req, "rows", 20, 1, 1000));
  TRAIL_ASSIGN_OR_RETURN(api::StoredRun run, api::LoadRun(project, ref));
  const Json* input = nullptr;
  if (run.record.contains("data") && run.record["data"].is_array()) {
    for (const Json& d : run.record["data"]) {
      if (d.is_object() && d.value("role", "") == role) input = &d;
    }
  }
  if (input == nullptr) return NotFound(ref + " has no data input " + role);
  const std::string format = input->value("format", "");
  Json snapshot = input->contains("snapshot") ? (*input)["snapshot"] : Json();
  std::string oid;
  if (snapshot.is_object() && snapshot.contains("oid") && snapshot["oid"].is_string()) {
    oid = snapshot["oid"].get<std::string>();
  } else if (input->contains("oid") && (*input)["oid"].is_string()) {
    oid = (*input)["oid"].get<std::string>();
  }
  Json body = {{"role", role},
               {"format", format},
               {"source", input->value("source", "")},
               {"instances", input->contains("instances") ? (*input)["instances"] : Json()},
               {"snapshot", snapshot.is_object() ? snapshot : Json()},
               {"header", nullptr},
               {"rows", Json::array()},
               {"truncated", false}};
  if (oid.empty() || (format != "csv" && format != "tsv" && format != "jsonl")) {
    SendJson(res, body);  // nothing readable as rows: the facts alone
    return Status::Ok();
  }
  TRAIL_RETURN_IF_ERROR(CheckOid(oid));
  // Enough lines for the header and `rows` rows, from the first MiB at most.
  std::string text;
  const int64_t lines_wanted = rows + (format == "jsonl" ? 0 : 1);
  const Status stop = Status(Code::kAlreadyExists, "enough");
  Status s = api::ReadStoredObject(project, oid, [&](std::string_view chunk) {
    text.append(chunk.data(), chunk.size());
    int64_t lines = 0;
    for (char c : text) lines += c == '\n';
    if (lines > lines_wanted || static_cast<int64_t>(text.size()) >= kMaxHeadBytes) return stop;
    return Status::Ok();
  });
  if (!s.ok() && s.message() != "enough") return s;
  std::istringstream in(text);
  std::string line;
  Json out_rows = Json::array();
  bool truncated = !s.ok();
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    if (static_cast<int64_t>(out_rows.size()) == rows) {
      truncated = true;
      break;
    }
    if (format == "jsonl") {
      Json value = Json::parse(line, nullptr, false);
      if (value.is_discarded()) value = line;
      if (value.is_object()) {
        if (body["header"].is_null()) {
          body["header"] = Json::array();
          for (const auto& [k, v] : value.items()) body["header"].push_back(k);
        }
        Json row = Json::array();
        for (const Json& k : body["header"])
          row.push_back(value.contains(k.get<std::string>()) ? value[k.get<std::string>()] : Json());
        out_rows.push_back(std::move(row));
      } else {
        out_rows.push_back(Json::array({value}));
      }
      continue;
    }
    Json fields = SplitRow(line, format == "tsv" ? '\t' : ',');
    if (body["header"].is_null()) {
      body["header"] = std::move(fields);
    } else {
      out_rows.push_back(std::move(fields));
    }
  }
  body["rows"] = std::move(out_rows);
  body["truncated"] = truncated;
  SendJson(res, body);
  return Status::Ok();
}

}  // namespace

void RegisterRunRoutes(Router& router) {
  router.Get(R"(/api/v1/runs/([^/]+))", GetRun);
  router.Get(R"(/api/v1/runs/([^/]+)/output)", GetOutput);
  router.Post(R"(/api/v1/runs/([^/]+)/tags)", PostTags);
  router.Post(R"(/api/v1/runs/([^/]+)/notes)", PostNotes);
  router.Get(R"(/api/v1/runs/([^/]+)/data/([^/]+)/head)", GetDataHead);
}

}  // namespace trail::server
