#include "base/text.h"

#include <algorithm>
#include <cctype>

namespace trail {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t SequenceLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0)
    n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid too.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

}  // namespace

std::string_view Trim(std::string_view s, std::string_view chars) {
  const size_t begin = s.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(chars) - begin + 1);
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string EscapeForMessage(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = SequenceLength(s, i);
    if (n > 1) {
      out.append(s.data() + i, n);
      i += n;
      continue;
    }
    ++i;
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (n == 1 && c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace trail

namespace trail {
namespace {

constexpr std::string_view kRedacted = "***";

// Characters that end a URL quoted inside a message.
bool EndsUrl(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\'' || c == '"' || c == '<' || c == '>' || c == '`' ||
         c == ')';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// True for query parameter names that carry credentials (presigned S3 URLs, API tokens).
bool IsSecretParameter(std::string_view name) {
  const std::string n = Lower(name);
  for (std::string_view word :
       {"signature", "credential", "token", "password", "passwd", "secret", "key", "sig", "auth"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

// Redacts one URL: `url` starts at its scheme and runs to its end.
std::string RedactOneUrl(std::string_view url) {
  const size_t authority = url.find("://") + 3;
  const size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  std::string out(url.substr(0, authority));
  const std::string_view host_part = url.substr(authority, authority_end - authority);
  const size_t at = host_part.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = host_part.substr(0, at);
    const size_t colon = userinfo.find(':');
    // "user:pass" keeps the user; a lone name may itself be a token (https://TOKEN@host).
    if (colon != std::string_view::npos) out += std::string(userinfo.substr(0, colon + 1));
    out += kRedacted;
    out += host_part.substr(at);
  } else {
    out += host_part;
  }
  const size_t query = url.find('?', authority_end);
  out += url.substr(authority_end, std::min(query, url.size()) - authority_end);
  if (query == std::string_view::npos) return out;
  // Parameters, one by one: name=value separated by '&' (up to a '#').
  const size_t fragment = std::min(url.find('#', query), url.size());
  size_t start = query + 1;
  out += '?';
  while (start <= fragment) {
    size_t end = std::min(url.find('&', start), fragment);
    const std::string_view param = url.substr(start, end - start);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && IsSecretParameter(param.substr(0, eq))) {
      out += param.substr(0, eq + 1);
      out += kRedacted;
    } else {
      out += param;
    }
    if (end == fragment) break;
    out += '&';
    start = end + 1;
  }
  out += url.substr(fragment);
  return out;
}

}  // namespace

std::string RedactUrlSecrets(std::string_view text) {
  std::string out;
  size_t done = 0;
  for (size_t sep = text.find("://"); sep != std::string_view::npos; sep = text.find("://", sep + 3)) {
    if (sep < done) continue;
    // The scheme: letters, digits, '+', '-', '.' before "://".
    size_t begin = sep;
    while (begin > done && (std::isalnum(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '+' ||
                            text[begin - 1] == '-' || text[begin - 1] == '.'))
      --begin;
    size_t end = sep + 3;
    while (end < text.size() && !EndsUrl(text[end])) ++end;
    out += text.substr(done, begin - done);
    out += RedactOneUrl(text.substr(begin, end - begin));
    done = end;
    sep = end > 3 ? end - 3 : end;  // continue after this URL
  }
  out += text.substr(done);
  return out;
}

}  // namespace trail
