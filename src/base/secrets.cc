#include "base/secrets.h"

#include <fnmatch.h>

#include <cctype>

namespace trail {
namespace {

constexpr const char* kSecretParts[] = {"password",  "passwd",     "passphrase", "secret",      "secrets",
                                        "token",     "auth",       "credential", "credentials", "apikey",
                                        "accesskey", "privatekey", "secretkey"};
constexpr const char* kSecretFirstParts[] = {"api", "access", "private"};

// Lowercase parts of a name: "dbPassword" -> db, password; "API_KEY" -> api, key.
std::vector<std::string> NameParts(std::string_view name) {
  std::vector<std::string> parts;
  std::string current;
  char previous = 0;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
    } else {
      // camelCase boundary: a capital after a lowercase letter or digit.
      if (std::isupper(u) &&
          (std::islower(static_cast<unsigned char>(previous)) || std::isdigit(static_cast<unsigned char>(previous)))) {
        parts.push_back(std::move(current));
        current.clear();
      }
      current += static_cast<char>(std::tolower(u));
    }
    previous = c;
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

bool IsOneOf(const std::string& part, const auto& list) {
  for (const char* item : list) {
    if (part == item) return true;
  }
  return false;
}

bool MatchesGlob(const std::string& pattern, const std::string& text, int flags) {
  return ::fnmatch(pattern.c_str(), text.c_str(), flags) == 0;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  const std::vector<std::string> parts = NameParts(name);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (IsOneOf(parts[i], kSecretParts)) return true;
    if (i + 1 < parts.size() && parts[i + 1] == "key" && IsOneOf(parts[i], kSecretFirstParts)) return true;
  }
  return false;
}

std::vector<std::string> MaskSecretArgs(const std::vector<std::string>& argv) {
  std::vector<std::string> out = argv;
  for (size_t i = 1; i < out.size(); ++i) {
    const std::string& arg = out[i];
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      // --token=X, -token=X and key=X (Hydra-style overrides) alike.
      if (eq > 0 && IsSecretName(arg.substr(0, eq))) out[i] = arg.substr(0, eq + 1) + kMaskedValue;
      continue;
    }
    const bool is_option = arg.size() > 1 && arg[0] == '-';
    if (is_option && IsSecretName(arg) && i + 1 < out.size() && out[i + 1].rfind("--", 0) != 0) {
      out[++i] = kMaskedValue;
    }
  }
  return out;
}

const std::vector<std::string>& DefaultSecretFiles() {
  static const std::vector<std::string> kDefaults = {".env",
                                                     ".env.*",
                                                     "*.env",
                                                     ".ssh/",
                                                     "id_rsa*",
                                                     "id_dsa*",
                                                     "id_ecdsa*",
                                                     "id_ed25519*",
                                                     "*.pem",
                                                     "*.key",
                                                     "*.p12",
                                                     "*.pfx",
                                                     "*.jks",
                                                     "*.keystore",
                                                     ".netrc",
                                                     ".pgpass",
                                                     ".pypirc",
                                                     ".npmrc",
                                                     ".git-credentials",
                                                     ".dockercfg",
                                                     ".docker/config.json",
                                                     ".aws/credentials",
                                                     ".kube/config",
                                                     "credentials",
                                                     "credentials.*",
                                                     "*credentials*.json",
                                                     "client_secret*.json",
                                                     "service-account*.json",
                                                     "secrets.*",
                                                     ".htpasswd"};
  return kDefaults;
}

bool MatchesFilePattern(std::string_view path, const std::vector<std::string>& patterns) {
  const std::string full(path);
  const size_t slash = full.rfind('/');
  const std::string name = slash == std::string::npos ? full : full.substr(slash + 1);
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    if (pattern.back() == '/') {
      // A folder anywhere on the path.
      const std::string folder = pattern.substr(0, pattern.size() - 1);
      size_t start = 0;
      for (size_t end = full.find('/'); end != std::string::npos; end = full.find('/', start)) {
        if (MatchesGlob(folder, full.substr(start, end - start), 0)) return true;
        start = end + 1;
      }
    } else if (pattern.find('/') != std::string::npos) {
      // Anchored at any folder: ".aws/credentials" matches "home/.aws/credentials" too.
      if (MatchesGlob(pattern, full, FNM_PATHNAME) || MatchesGlob("*/" + pattern, full, 0)) return true;
    } else if (MatchesGlob(pattern, name, 0)) {
      return true;
    }
  }
  return false;
}

}  // namespace trail
