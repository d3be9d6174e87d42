#include "http_json.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <string_view>

namespace trail::server {

std::string DumpJson(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

void SendJson(httplib::Response& res, const Json& body, int status) {
  res.status = status;
  res.set_content(DumpJson(body), kJsonType);
}

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 412;
    default:
      return 500;
  }
}

const char* ErrorCodeName(int http_status) {
  switch (http_status) {
    case 400:
      return "invalid_argument";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 412:
      return "failed_precondition";
    case 413:
      return "payload_too_large";
    default:
      return "internal";
  }
}

std::optional<int64_t> QueryErrorColumn(const std::string& message) {
  static const std::regex kColumn(R"(^bad (where|sort|query)\b.*? at column ([0-9]{1,9})\b)");
  std::smatch m;
  if (!std::regex_search(message, m, kColumn)) return std::nullopt;
  return std::strtoll(m[2].str().c_str(), nullptr, 10);
}

Json ErrorBody(int http_status, const std::string& message) {
  Json error = {{"code", ErrorCodeName(http_status)}, {"message", message}};
  if (http_status == 400) {
    if (auto column = QueryErrorColumn(message)) error["column"] = *column;
  }
  return Json{{"error", error}};
}

void SendError(httplib::Response& res, int http_status, const std::string& message) {
  SendJson(res, ErrorBody(http_status, message), http_status);
}

void SendError(httplib::Response& res, const Status& status) { SendError(res, HttpStatusOf(status), status.message()); }

bool AcceptsEncoding(const std::string& accept_encoding, const std::string& coding) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::optional<bool> named;
  bool any = false;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string name = lower(trim(item.substr(0, semi)));
    bool accepted = true;
    if (semi != std::string_view::npos) {
      const std::string param = lower(trim(item.substr(semi + 1)));
      // "q=0", "q=0.", "q=0.000": refused; any other q-value accepts.
      if (param.rfind("q=", 0) == 0) accepted = param.find_first_not_of("0.", 2) != std::string::npos;
    }
    if (name == lower(coding)) named = accepted;
    if (name == "*") any = accepted;
  }
  return named.value_or(any);
}

StatusOr<int64_t> IntParam(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t min,
                           int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < min || value > max) {
    return InvalidArgument(name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<int64_t>(value);
}

StatusOr<bool> BoolParam(const httplib::Request& req, const std::string& name, bool fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false" || text.empty()) return false;
  return InvalidArgument(name + " must be 0 or 1");
}

StatusOr<std::optional<double>> DoubleParam(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name) || req.get_param_value(name).empty()) return std::optional<double>();
  const std::string text = req.get_param_value(name);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value)) return InvalidArgument(name + " must be a finite number");
  return std::optional<double>(value);
}

StatusOr<Json> JsonBody(const httplib::Request& req) {
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return InvalidArgument("the request body must be a JSON object");
  return body;
}

Json RowToJson(const api::RunRow& row) {
  Json out = Json::object();
  out["id"] = row.id;
  out["number"] = row.number;
  out["name"] = row.name.empty() ? Json() : Json(row.name);
  out["status"] = row.status;
  out["user"] = row.user.empty() ? Json() : Json(row.user);
  out["started"] = row.started.empty() ? Json() : Json(row.started);
  out["duration_s"] = row.duration_s ? Json(*row.duration_s) : Json();
  out["exit_code"] = row.exit_code ? Json(*row.exit_code) : Json();
  out["parent"] = row.parent.empty() ? Json() : Json(row.parent);
  out["archived"] = row.archived;
  out["params"] = row.params;
  out["metrics"] = row.metrics;
  out["tags"] = row.tags;
  out["derived"] = row.derived;
  out["context"] = row.context;
  return out;
}

}  // namespace trail::server
