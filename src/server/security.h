// The server's security rules (docs/api.md, "Security"), as pure functions of a request's facts
// so that they can be tested without sockets:
// - the Host header must name the address served (no DNS rebinding);
// - reads need the token only on a non-loopback address (cookie, Bearer, or ?token= once on a
//   page load, which sets the cookie and redirects);
// - writes always need the custom header X-Trail-Token (a cross-site form or fetch cannot send it
//   without a CORS preflight, which the server never grants).
#pragma once

#include <string>
#include <vector>

namespace trail::server {

// The headers every response carries (the contract's CSP and friends), name then value.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

// 127.0.0.0/8, ::1 and localhost.
bool IsLoopbackHost(const std::string& host);
// The Host header values that name this server: 127.0.0.1:PORT, localhost:PORT, [::1]:PORT and
// the bound host (bracketed when it is an IPv6 address), lowercase.
std::vector<std::string> AllowedHosts(const std::string& bind_host, int port);
// Compares the header case-insensitively with each allowed value.
bool HostAllowed(const std::string& host_header, const std::vector<std::string>& allowed);

// 32 random bytes as 64 lowercase hex digits (HTML-attribute and URL safe as is).
std::string GenerateToken();
// Equal, in a time that does not depend on where they differ.
bool TokenEquals(const std::string& a, const std::string& b);
// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(const std::string& cookie_header, const std::string& name);
// `target` (path?query) without its token=... parameter, for the redirect after a page load.
std::string StripTokenParam(const std::string& target);

struct SecurityConfig {
  std::vector<std::string> allowed_hosts;
  std::string token;
  bool reads_need_token = false;
};

// What a request brings that the rules look at.
struct RequestFacts {
  std::string method, path, host;
  std::string cookie_token;  // the trail_token cookie
  std::string bearer_token;  // Authorization: Bearer ...
  std::string header_token;  // X-Trail-Token
  std::string query_token;   // ?token=
  bool has_query_token = false;
};

struct Verdict {
  int status = 0;  // 0: serve the request; else answer with this status
  std::string code, message;
  bool set_cookie_and_redirect = false;  // status 302: a page load that brought the right token
};

Verdict CheckRequest(const SecurityConfig& config, const RequestFacts& facts);

}  // namespace trail::server
