// Fuzzes the readers of run records: record::Parse (a run.yaml from the runs branch, which
// collaborators push) and the YAML codec under it (util/yaml.h, which also reads params.yaml).
//
// Checks, beyond "never crashes":
//   - ParseYaml errors are Corrupt and name the source; record::Parse accepts exactly the
//     mappings with a string id and an integer number, and gives what ParseYaml gives.
//   - Whatever ParseYaml accepts, EmitYaml writes and ParseYaml reads back identically
//     (types kept, NaN aware, key order kept), and a second emit gives the same bytes.
//   - Whatever ParamsFromFiles accepts as params.yaml, a record holding it reads back.
//   - A record survives Serialize -> Parse as its Canonical form; Canonical keeps every key and
//     is idempotent; the helpers that turn record fields into names and paths stay safe.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "base/yaml.h"
#include "fuzz/check.h"
#include "record/params.h"
#include "record/record.h"

namespace trail::fuzz {
namespace {

constexpr const char* kWhat = "fuzz/run.yaml";

void CheckRoundTrip(const Json& value, std::string_view input) {
  std::string yaml = EmitYaml(value);
  StatusOr<Json> back = ParseYaml(yaml, "emitted");
  auto note = [&] { return "input: " + Escaped(input) + "\n  emitted: " + Escaped(yaml); };
  FUZZ_CHECK(back.ok(), "EmitYaml wrote what ParseYaml rejects (" + back.status().message() + ")\n  " + note());
  FUZZ_CHECK(Identical(value, *back),
             "YAML round trip changed the value: " + Shown(*back) + "\n  was: " + Shown(value) + "\n  " + note());
  FUZZ_CHECK(EmitYaml(*back) == yaml, "a second emit differs\n  " + note());
}

// Every value renders as text (the index calls ScalarText on param and tag values of any type);
// every key makes a safe series file name.
void Walk(const Json& value, int depth) {
  if (depth > 10000) return;
  (void)record::ScalarText(value);
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string file = record::SeriesFileName(it.key());
      FUZZ_CHECK(file.size() > 4 && file.ends_with(".tsv") && file[0] != '.', "series file name: " + Escaped(file));
      FUZZ_CHECK(file.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.%") ==
                     std::string::npos,
                 "series file name: " + Escaped(file));
      Walk(it.value(), depth + 1);
    }
  } else if (value.is_array()) {
    for (const Json& item : value) Walk(item, depth + 1);
  }
}

void CheckRecord(const Json& rec, std::string_view input) {
  std::string id = rec["id"].get<std::string>();
  int64_t number = rec["number"].get<int64_t>();
  (void)record::RunNumberOf(id);
  (void)record::RecordPath(id, number);
  for (const char* key : {"status", "name", "started", "ended", "parent", "user", "command"}) {
    (void)record::GetString(rec, key);
  }
  (void)record::GetNumber(rec, "duration_s");
  (void)record::GetNumber(rec, "exit_code", -1);

  Json canonical = record::Canonical(rec);
  FUZZ_CHECK(canonical.size() == rec.size(), "Canonical dropped or added keys: " + Escaped(input));
  FUZZ_CHECK(Identical(record::Canonical(canonical), canonical), "Canonical is not idempotent: " + Escaped(input));
  std::string yaml = record::Serialize(rec);
  StatusOr<Json> back = record::Parse(yaml, "serialized");
  FUZZ_CHECK(back.ok(), "Serialize wrote what Parse rejects (" + back.status().message() + "): " + Escaped(yaml));
  FUZZ_CHECK(Identical(*back, canonical), "record round trip changed the record: " + Escaped(yaml));
}

// A directory of this process's own for the params file, removed at exit.
std::string ParamsDir() {
  static char path[] = "/tmp/trail-record-fuzzer-XXXXXX";  // no destructor: usable at exit
  static const bool made = [] {
    FUZZ_CHECK(mkdtemp(path) != nullptr, "mkdtemp");
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    });
    return true;
  }();
  (void)made;
  return path;
}

// The input as a params.yaml, read the way `trail run` reads it and recorded as it records it:
// whatever ParamsFromFiles accepts must survive Serialize -> Parse inside a record.
void CheckAsParamsFile(const std::string& text) {
  {
    std::ofstream file(ParamsDir() + "/params.yaml", std::ios::binary | std::ios::trunc);
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    FUZZ_CHECK(file.good(), "cannot write params.yaml");
  }
  StatusOr<Json> params = record::ParamsFromFiles(ParamsDir());
  if (!params.ok()) return;
  Json rec = Json::object();
  rec["id"] = "fz-1";
  rec["number"] = 1;
  rec["params"] = *params;
  std::string yaml = record::Serialize(rec);
  StatusOr<Json> back = record::Parse(yaml, "serialized");
  FUZZ_CHECK(back.ok(), "a record with these params does not read back (" + back.status().message() +
                            ")\n  params.yaml: " + Escaped(text));
  FUZZ_CHECK(Identical(*back, record::Canonical(rec)),
             "params changed in the record: " + Shown(*back) + "\n  params.yaml: " + Escaped(text));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  std::string text(reinterpret_cast<const char*>(data), size);

  StatusOr<Json> yaml = ParseYaml(text, fuzz::kWhat);
  StatusOr<Json> rec = record::Parse(text, fuzz::kWhat);
  if (!yaml.ok()) {
    FUZZ_CHECK(yaml.status().code() == Code::kCorrupt, yaml.status().message());
    FUZZ_CHECK(yaml.status().message().starts_with(std::string(fuzz::kWhat) + ": line "), yaml.status().message());
    FUZZ_CHECK(!rec.ok(), "record::Parse accepts what ParseYaml rejects");
    return 0;
  }
  bool is_record = yaml->is_object() && yaml->contains("id") && (*yaml)["id"].is_string() && yaml->contains("number") &&
                   (*yaml)["number"].is_number_integer();
  FUZZ_CHECK(rec.ok() == is_record, rec.ok() ? "accepted a non-record" : rec.status().message());
  if (!rec.ok()) {
    FUZZ_CHECK(rec.status().code() == Code::kCorrupt && rec.status().message().starts_with(fuzz::kWhat),
               rec.status().message());
  }

  fuzz::Walk(*yaml, 0);
  fuzz::CheckRoundTrip(*yaml, text);
  fuzz::CheckAsParamsFile(text);
  if (rec.ok()) {
    FUZZ_CHECK(fuzz::Identical(*rec, *yaml), "record::Parse and ParseYaml disagree");
    fuzz::CheckRecord(*rec, text);
  }
  return 0;
}
