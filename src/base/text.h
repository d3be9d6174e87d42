// Text hygiene for everything trail writes from outside input (argv, files, pipes).
#pragma once

#include <string>
#include <string_view>

namespace trail {

// The characters std::isspace() accepts in the C locale.
inline constexpr std::string_view kAsciiWhitespace = " \t\n\v\f\r";
// `s` without leading and trailing characters from `chars` (a view into `s`; empty when all of
// it is trimmed).
std::string_view Trim(std::string_view s, std::string_view chars = kAsciiWhitespace);

bool IsValidUtf8(std::string_view s);
// Copy of `s` with every invalid UTF-8 sequence replaced by U+FFFD, so JSON
// and YAML writers can never choke on a Latin-1 argument or a stray byte.
std::string SanitizeUtf8(std::string_view s);
// `s` for a one-line message: valid UTF-8 kept as it is, every other byte and every control
// character written as \xNN (newline as \n, tab as \t, backslash as \\), so a hostile file name
// can neither break the line nor hide what it is.
std::string EscapeForMessage(std::string_view s);

// Copy of `text` (a URL, or a message that may quote URLs) fit to show a person: in every
// "scheme://" URL, the password of the userinfo ("user:pass@host" -> "user:***@host"; a lone
// "token@host" -> "***@host") and the values of query parameters that carry credentials
// (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, token, password, secret, key, sig,
// ...) become "***". Remote URLs may embed secrets, and messages go to terminals and logs.
std::string RedactUrlSecrets(std::string_view text);

}  // namespace trail
