// Fuzzes the readers of credential services' answers (remote/aws_credential_sources.h):
// ParseJsonObject, CredentialsFromJson (as instance metadata, the container agent and
// credential_process answer) and ParseIsoTime. Those answers are outside input.
//
// Checks, beyond "never crashes":
//   - ParseJsonObject accepts only objects of at most kMaxCredentialAnswer bytes.
//   - Accepted credentials have a non-empty access key id and secret, and WellFormedKeys holds.
//   - A time ParseIsoTime accepts prints back (as "%Y-%m-%dT%H:%M:%SZ") to a text it reads as the
//     same time.
//   - The input as the secret of a well-formed answer (JSON-escaped as a server writes it) comes
//     back exactly when it is a well-formed key, and is refused otherwise.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "remote/aws_credential_sources.h"

namespace trail::fuzz {
namespace {

void CheckAnswer(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  StatusOr<Json> json = remote::ParseJsonObject(input);
  if (!json.ok()) return;
  FUZZ_CHECK(input.size() <= remote::kMaxCredentialAnswer && json->is_object(), note("accepted a non-object"));
  for (bool required : {false, true}) {
    StatusOr<remote::ResolvedCredentials> c =
        remote::CredentialsFromJson(*json, "AccessKeyId", "SecretAccessKey", "Token", "Expiration", required);
    if (!c.ok()) continue;
    FUZZ_CHECK(!c->credentials.access_key_id.empty() && !c->credentials.secret_access_key.empty(),
               note("credentials without a key"));
    FUZZ_CHECK(remote::WellFormedKeys(c->credentials), note("malformed keys accepted"));
    FUZZ_CHECK(!required || c->expiration, note("required expiration missing"));
  }
}

void CheckTime(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  std::optional<std::time_t> t = remote::ParseIsoTime(input);
  if (!t) return;
  std::tm tm{};
  FUZZ_CHECK(::gmtime_r(&*t, &tm) != nullptr, note("a time gmtime cannot print"));
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  FUZZ_CHECK(remote::ParseIsoTime(text) == t, note(std::string("does not read back: ") + text));
}

void CheckAsSecret(std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  Json answer = Json::object();
  answer["AccessKeyId"] = "AKID";
  // Any byte string: invalid UTF-8 is replaced so that the writer (a server) can write it.
  const std::string secret(input);
  answer["SecretAccessKey"] = secret;
  answer["Expiration"] = "2030-01-01T00:00:00Z";
  const std::string text = answer.dump(-1, ' ', false, Json::error_handler_t::replace);
  StatusOr<Json> parsed = remote::ParseJsonObject(text);
  if (text.size() > remote::kMaxCredentialAnswer) {
    FUZZ_CHECK(!parsed.ok(), note("an oversized answer accepted"));
    return;
  }
  FUZZ_CHECK(parsed.ok(), note("a well-formed answer refused: " + parsed.status().message()));
  StatusOr<remote::ResolvedCredentials> c =
      remote::CredentialsFromJson(*parsed, "AccessKeyId", "SecretAccessKey", "Token", "Expiration", true);
  const std::string written = (*parsed)["SecretAccessKey"].get<std::string>();
  const bool well_formed = !written.empty() && remote::WellFormedKeys({"AKID", written, ""});
  FUZZ_CHECK(c.ok() == well_formed, note("verdict differs from WellFormedKeys"));
  if (c.ok()) FUZZ_CHECK(c->credentials.secret_access_key == written, note("secret changed"));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  trail::fuzz::CheckAnswer(input);
  trail::fuzz::CheckTime(input);
  trail::fuzz::CheckAsSecret(input);
  return 0;
}
