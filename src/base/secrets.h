// What trail treats as a secret, so that records never carry one: names of
// params and options (db_password, --api-key, HF_TOKEN) whose values are
// masked, and untracked files (.env, id_rsa, *.pem) that the code snapshot
// leaves out. The rules are documented in docs/run.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trail {

// What a masked value is recorded as.
inline constexpr const char* kMaskedValue = "***";

// True when `name` looks like it holds a secret: one of its parts
// (split at '.', '_', '-', other punctuation and lower-to-upper case changes;
// compared case-insensitively) is password, passwd, passphrase, secret(s),
// token, auth, credential(s), apikey, or two neighbouring parts form api key,
// access key or private key. "tokenizer", "max_tokens" and "author" are not
// secret names.
bool IsSecretName(std::string_view name);

// `argv` with the value of every secret-named option masked: "--password X"
// (X masked unless it is another long option), "--token=X" and "key=X"
// arguments become kMaskedValue in the value's place. argv[0] is kept.
std::vector<std::string> MaskSecretArgs(const std::vector<std::string>& argv);

// The untracked files the code snapshot leaves out unless the project's
// configuration says otherwise (context.secret_files in .trail/config.yaml).
const std::vector<std::string>& DefaultSecretFiles();

// Does `path` (relative to the repository root, '/'-separated) match one of
// `patterns`? Patterns are shell globs, as in .gitignore: one ending in '/'
// matches a folder anywhere on the path (".ssh/" covers .ssh/config); one
// containing another '/' matches the whole path (".aws/credentials");
// any other matches the file's own name ("*.pem", ".env").
bool MatchesFilePattern(std::string_view path, const std::vector<std::string>& patterns);

}  // namespace trail
