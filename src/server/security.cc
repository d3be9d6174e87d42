#include "security.h"

#include <algorithm>
#include <cctype>
#include <random>

namespace trail::server {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsWrite(const std::string& method) { return method != "GET" && method != "HEAD"; }

}  // namespace

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  };
  return kHeaders;
}

bool IsLoopbackHost(const std::string& host) {
  std::string h = Lower(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

std::vector<std::string> AllowedHosts(const std::string& bind_host, int port) {
  const std::string p = ":" + std::to_string(port);
  std::vector<std::string> hosts = {"127.0.0.1" + p, "localhost" + p, "[::1]" + p};
  std::string h = Lower(bind_host);
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
  // 0.0.0.0 and :: name no host a browser could ask for; the machine's own names are then
  // allowed through the loopback ones only, and a user who binds them names the host with --host.
  if (h != "0.0.0.0" && h != "[::]" && std::find(hosts.begin(), hosts.end(), h + p) == hosts.end()) {
    hosts.push_back(h + p);
  }
  return hosts;
}

bool HostAllowed(const std::string& host_header, const std::vector<std::string>& allowed) {
  const std::string h = Lower(host_header);
  return std::find(allowed.begin(), allowed.end(), h) != allowed.end();
}

std::string GenerateToken() {
  std::random_device device;  // getrandom(2) on Linux
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 8; ++i) {
    uint32_t word = device();
    for (int b = 0; b < 4; ++b) {
      token += kHex[(word >> 4) & 0xF];
      token += kHex[word & 0xF];
      word >>= 8;
    }
  }
  return token;
}

bool TokenEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string CookieValue(const std::string& cookie_header, const std::string& name) {
  size_t pos = 0;
  while (pos < cookie_header.size()) {
    size_t end = cookie_header.find(';', pos);
    if (end == std::string::npos) end = cookie_header.size();
    std::string part = cookie_header.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) {
      part = part.substr(start);
      size_t eq = part.find('=');
      if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    }
    pos = end + 1;
  }
  return "";
}

std::string StripTokenParam(const std::string& target) {
  size_t q = target.find('?');
  if (q == std::string::npos) return target;
  std::string path = target.substr(0, q), kept;
  std::string query = target.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    std::string param = query.substr(pos, end - pos);
    if (!param.empty() && param != "token" && param.rfind("token=", 0) != 0) {
      kept += (kept.empty() ? "" : "&") + param;
    }
    pos = end + 1;
  }
  return kept.empty() ? path : path + "?" + kept;
}

Verdict CheckRequest(const SecurityConfig& config, const RequestFacts& facts) {
  Verdict v;
  if (!HostAllowed(facts.host, config.allowed_hosts)) {
    v.status = 403;
    v.code = "forbidden";
    v.message = "the Host header does not name this server";
    return v;
  }
  if (IsWrite(facts.method)) {
    if (!TokenEquals(facts.header_token, config.token)) {
      v.status = 403;
      v.code = "forbidden";
      v.message = "a write needs the header X-Trail-Token with the server's token";
    }
    return v;
  }
  if (!config.reads_need_token) return v;
  if (TokenEquals(facts.cookie_token, config.token) || TokenEquals(facts.bearer_token, config.token)) return v;
  const bool page = facts.path.rfind("/api/", 0) != 0;
  if (page && facts.has_query_token && TokenEquals(facts.query_token, config.token)) {
    v.status = 302;
    v.set_cookie_and_redirect = true;
    return v;
  }
  v.status = 401;
  v.code = "unauthorized";
  v.message = "this server needs its token: open the URL trail ui printed, or send Authorization: Bearer TOKEN";
  return v;
}

}  // namespace trail::server
