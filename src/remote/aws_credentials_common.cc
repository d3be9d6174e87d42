// What the credential sources share: bounded exchanges and strict parsing of their answers.
#include <sys/stat.h>

#include <cstdio>

#include "base/files.h"
#include "base/text.h"
#include "remote/aws_credential_sources.h"

namespace trail::remote {
namespace {

// Deeper nesting than any credential answer has is refused before parsing, so that a hostile
// answer cannot make the parser (or the destructor of what it built) recurse deeply.
bool NestingWithin(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    }
    if (c == '}' || c == ']') --depth;
  }
  return true;
}

}  // namespace

StatusOr<Json> ParseJsonObject(std::string_view text) {
  if (text.size() > kMaxCredentialAnswer)
    return Corrupt("answer larger than " + std::to_string(kMaxCredentialAnswer) + " bytes");
  if (!NestingWithin(text, 16)) return Corrupt("answer nested too deeply");
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Corrupt("answer is not JSON");
  if (!parsed.is_object()) return Corrupt("answer is not a JSON object");
  return parsed;
}

std::string JsonString(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::string();
  return it->get<std::string>();
}

std::optional<std::time_t> ParseIsoTime(std::string_view text) {
  text = Trim(text);
  if (text.size() < 19 || text.size() > 40) return std::nullopt;
  const std::string s(text);
  int year, month, day, hour, minute, second, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) != 6 ||
      used != 19) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    rest.remove_prefix(digits);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "UTC" && rest != " UTC" && rest != "+0000") return std::nullopt;
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return ::timegm(&tm);
}

StatusOr<ResolvedCredentials> CredentialsFromJson(const Json& object, const char* id, const char* secret,
                                                  const char* token, const char* expiration, bool expiration_required) {
  ResolvedCredentials out;
  out.credentials.access_key_id = JsonString(object, id);
  out.credentials.secret_access_key = JsonString(object, secret);
  out.credentials.session_token = JsonString(object, token);
  if (out.credentials.access_key_id.empty()) return Corrupt(std::string("answer has no ") + id);
  if (out.credentials.secret_access_key.empty()) return Corrupt(std::string("answer has no ") + secret);
  if (!WellFormedKeys(out.credentials)) return Corrupt("answer has a malformed key");
  auto it = object.find(expiration);
  if (it != object.end()) {
    if (!it->is_string()) return Corrupt(std::string("answer's ") + expiration + " is not a time");
    out.expiration = ParseIsoTime(it->get<std::string>());
    if (!out.expiration) return Corrupt(std::string("answer's ") + expiration + " is not an ISO 8601 time");
  } else if (expiration_required) {
    return Corrupt(std::string("answer has no ") + expiration);
  }
  return out;
}

StatusOr<std::string> ReadSmallFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFound("cannot read " + path + ": no such file");
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxCredentialAnswer)
    return InvalidArgument(path + " is larger than " + std::to_string(kMaxCredentialAnswer) + " bytes");
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.size() > kMaxCredentialAnswer)
    return InvalidArgument(path + " is larger than " + std::to_string(kMaxCredentialAnswer) + " bytes");
  return std::string(Trim(text));
}

bool SafeHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

StatusOr<HttpResponse> PerformSmall(HttpRequest request) {
  if (request.connect_timeout_ms == 0) request.connect_timeout_ms = 5000;
  if (request.timeout_ms == 0) request.timeout_ms = 5000;
  if (request.max_body == 0) request.max_body = kMaxCredentialAnswer;
  return Perform(request);
}

std::string CheckedEndpoint(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return std::string();
  if (url.size() > 1024) return std::string();
  for (char c : url) {
    if (c <= ' ' || c >= 0x7f || c == '@') return std::string();
  }
  const size_t host_start = url.find("://") + 3;
  std::string out = url;
  while (out.size() > host_start && out.back() == '/') out.pop_back();
  if (out.size() == host_start || out[host_start] == '/') return std::string();
  return out;
}

StatusOr<std::string> ServiceEndpoint(const EnvLookup& env, const std::string& service, const std::string& what,
                                      const std::string& fallback) {
  for (const std::string& name : {"AWS_ENDPOINT_URL_" + service, std::string("AWS_ENDPOINT_URL")}) {
    std::optional<std::string> v = env(name);
    if (!v || v->empty()) continue;
    std::string endpoint = CheckedEndpoint(*v);
    if (endpoint.empty()) return InvalidArgument(what + ": " + name + " is not an http(s) URL");
    return endpoint;
  }
  return fallback;
}

bool IsIamName(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '=' ||
          c == ',' || c == '.' || c == '@' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

bool WellFormedKeys(const AwsCredentials& c) {
  for (const std::string* v : {&c.access_key_id, &c.secret_access_key, &c.session_token}) {
    if (v->size() > 8192 || !SafeHeaderValue(*v) || v->find_first_of(" \t") != std::string::npos) return false;
  }
  return true;
}

}  // namespace trail::remote
