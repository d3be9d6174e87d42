// JSON in and out of the server: response bodies, the contract's error shape, the HTTP status of
// a trail::Status, query-string numbers, and the listing's rows.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>

#include "trail/json.h"
#include "trail/runs.h"
#include "trail/status.h"

namespace trail::server {

inline constexpr const char* kJsonType = "application/json; charset=utf-8";
inline constexpr const char* kTextType = "text/plain; charset=utf-8";

// Compact JSON; invalid UTF-8 in a record's strings becomes U+FFFD instead of an exception.
// Non-finite numbers are written as null (a chart's gap).
std::string DumpJson(const Json& value);
void SendJson(httplib::Response& res, const Json& body, int status = 200);

// The HTTP status of a failed Status: InvalidArgument 400, NotFound 404, AlreadyExists 409,
// FailedPrecondition 412, the rest 500.
int HttpStatusOf(const Status& status);
// The contract's code name of an HTTP status ("invalid_argument", "not_found", ...).
const char* ErrorCodeName(int http_status);
// {"error": {"code", "message"[, "column"]}}: "column" when the message is a query error that
// names one ("bad where at column 17: ...").
Json ErrorBody(int http_status, const std::string& message);
void SendError(httplib::Response& res, const Status& status);
void SendError(httplib::Response& res, int http_status, const std::string& message);
// The column a query error names, if any.
std::optional<int64_t> QueryErrorColumn(const std::string& message);

// An integer query parameter in [min, max] (absent: `fallback`); InvalidArgument naming it.
StatusOr<int64_t> IntParam(const httplib::Request& req, const std::string& name, int64_t fallback, int64_t min,
                           int64_t max);
// A 0/1 flag ("true"/"false" too); InvalidArgument naming it.
StatusOr<bool> BoolParam(const httplib::Request& req, const std::string& name, bool fallback);
// A finite number, if given.
StatusOr<std::optional<double>> DoubleParam(const httplib::Request& req, const std::string& name);
// The request body as a JSON object; InvalidArgument for anything else.
StatusOr<Json> JsonBody(const httplib::Request& req);

// Whether an Accept-Encoding header value accepts `coding` ("gzip"): named, or by "*", with a
// q-value above 0 (RFC 9110 12.5.3). Names are case-insensitive; an empty header accepts none.
bool AcceptsEncoding(const std::string& accept_encoding, const std::string& coding);

// A listing's row as the contract's Row (absent optional fields null).
Json RowToJson(const api::RunRow& row);

}  // namespace trail::server
