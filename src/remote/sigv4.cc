#include "remote/sigv4.h"

#include <algorithm>
#include <cctype>

#include "remote/crypto.h"

namespace trail::remote {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are signed trimmed, with inner runs of spaces collapsed to one.
std::string TrimAll(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string AmzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  std::sort(encoded.begin(), encoded.end());  // by encoded name, as the spec says
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request, std::string* signed_headers) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(Lower(name), TrimAll(value));
  std::sort(headers.begin(), headers.end());
  std::string canonical_headers;
  signed_headers->clear();
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers->empty()) *signed_headers += ';';
    *signed_headers += name;
  }
  return request.method + "\n" + request.canonical_uri + "\n" + CanonicalQueryString(request.query) + "\n" +
         canonical_headers + "\n" + *signed_headers + "\n" + request.payload_hash;
}

std::string SigningKey(const std::string& secret, const std::string& date, const std::string& region,
                       const std::string& service) {
  std::string key = HmacSha256("AWS4" + secret, date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

std::string SignV4(SigV4Request* request, const AwsCredentials& credentials, const std::string& region,
                   const std::string& service, std::time_t now) {
  const std::string amz_date = AmzDate(now);
  const std::string date = amz_date.substr(0, 8);
  request->headers.emplace_back("x-amz-date", amz_date);
  request->headers.emplace_back("x-amz-content-sha256", request->payload_hash);
  if (!credentials.session_token.empty())
    request->headers.emplace_back("x-amz-security-token", credentials.session_token);

  std::string signed_headers;
  const std::string canonical = CanonicalRequest(*request, &signed_headers);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical);
  const std::string signature =
      HexEncode(HmacSha256(SigningKey(credentials.secret_access_key, date, region, service), string_to_sign));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope + ",SignedHeaders=" + signed_headers +
         ",Signature=" + signature;
}

}  // namespace trail::remote
