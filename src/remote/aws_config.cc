#include "remote/aws_config.h"

#include <cctype>
#include <cstdlib>

#include "base/files.h"
#include "base/text.h"
#include "remote/aws_credentials.h"

namespace trail::remote {
namespace {

// The file's section for `section`, or an empty map (an absent or unreadable file is no error:
// the variables may supply everything).
std::map<std::string, std::string> ReadSection(const std::string& path, const std::string& section) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return {};
  IniSections sections = ParseIni(*text);
  auto it = sections.find(section);
  return it == sections.end() ? std::map<std::string, std::string>{} : it->second;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string IniValue(const std::map<std::string, std::string>& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

std::string EnvValue(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

IniSections ParseIni(std::string_view text) {
  IniSections sections;
  std::string current;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      std::string_view inner = line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      // "[profile  dev]" and "[profile dev]" are the same section.
      std::string name;
      for (std::string_view part = Trim(inner); !part.empty();) {
        size_t sp = part.find_first_of(" \t");
        if (!name.empty()) name += ' ';
        name += part.substr(0, sp);
        part = sp == std::string_view::npos ? std::string_view() : Trim(part.substr(sp));
      }
      current = name;
      sections[current];
      continue;
    }
    if (indented) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(Trim(line.substr(0, eq)));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    sections[current][key] = std::string(Trim(line.substr(eq + 1)));
  }
  return sections;
}

StatusOr<S3Settings> LoadS3Settings(const EnvLookup& env) {
  const std::string home = EnvValue(env, "HOME");
  std::string profile = EnvValue(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string config_file = EnvValue(env, "AWS_CONFIG_FILE");
  if (config_file.empty() && !home.empty()) config_file = home + "/.aws/config";
  auto config = config_file.empty() ? std::map<std::string, std::string>{}
                                    : ReadSection(config_file, profile == "default" ? profile : "profile " + profile);

  S3Settings settings;
  TRAIL_ASSIGN_OR_RETURN(ResolvedCredentials resolved, ResolveAwsCredentials(env, profile));
  settings.credentials = resolved.credentials;
  if (resolved.expiration) {
    settings.provider = std::make_shared<CredentialProvider>(
        std::move(resolved), [env, profile] { return ResolveAwsCredentials(env, profile); });
  }
  settings.region = ResolveAwsRegion(env, profile);

  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if (settings.endpoint.empty()) settings.endpoint = EnvValue(env, name);
  }
  if (settings.endpoint.empty()) settings.endpoint = IniValue(config, "endpoint_url");
  return settings;
}

}  // namespace trail::remote
