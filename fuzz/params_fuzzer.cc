// Fuzzes how trail reads params from a command line (record/params.h): the input, split at NUL
// bytes, is the argv of a training command and the list of `-p key=value` items.
//
// Checks, beyond "never crashes":
//   - ParamsFromArgs gives an object of scalars whose keys come from long options in argv.
//   - ParseAssignments accepts exactly the items with a non-empty key before an '='.
//   - TypedValue keeps text it does not type verbatim, and a number (or bool) it types reads
//     back from its ScalarText as the same value.
//   - The record fields made from argv (params, command) survive EmitYaml -> ParseYaml, with
//     invalid UTF-8 replaced by U+FFFD (util/text.h).
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "fuzz/check.h"
#include "record/params.h"
#include "record/record.h"

namespace trail::fuzz {
namespace {

// Same number, whatever the types: an int and a float are equal when the float is that exact
// integer.
bool SameNumber(const Json& a, const Json& b) {
  if (a.is_number_float() && b.is_number_float()) return SameDouble(a.get<double>(), b.get<double>());
  if (a.is_number_float() || b.is_number_float()) {
    const Json& f = a.is_number_float() ? a : b;
    const Json& i = a.is_number_float() ? b : a;
    double d = f.get<double>();
    if (!(d >= -0x1p63 && d < 0x1p63) || std::trunc(d) != d) return false;
    return static_cast<int64_t>(d) == i.get<int64_t>();
  }
  return a.get<int64_t>() == b.get<int64_t>();
}

void CheckTypedValue(const std::string& text) {
  Json v = record::TypedValue(text);
  auto note = [&] { return "TypedValue(\"" + Escaped(text) + "\") = " + Shown(v); };
  FUZZ_CHECK(v.is_string() || v.is_boolean() || v.is_number_integer() || v.is_number_float(), note());
  if (v.is_string()) {
    FUZZ_CHECK(v.get<std::string>() == text, note());
    return;
  }
  std::string shown = record::ScalarText(v);
  Json again = record::TypedValue(shown);
  auto again_note = [&] { return note() + ", its text \"" + Escaped(shown) + "\" reads as " + Shown(again); };
  if (v.is_boolean()) {
    FUZZ_CHECK(again.is_boolean() && again == v, again_note());
  } else {
    FUZZ_CHECK(!v.is_number_float() || std::isfinite(v.get<double>()), note());
    FUZZ_CHECK(again.is_number() && SameNumber(v, again), again_note());
  }
}

bool IsLongOption(const std::string& a) {
  return a.size() > 2 && a[0] == '-' && a[1] == '-' && std::isalpha(static_cast<unsigned char>(a[2]));
}

void CheckParamsFromArgs(const std::vector<std::string>& argv) {
  Json params = record::ParamsFromArgs(argv);
  FUZZ_CHECK(params.is_object(), "ParamsFromArgs did not give an object");
  for (auto it = params.begin(); it != params.end(); ++it) {
    const Json& v = it.value();
    FUZZ_CHECK(v.is_string() || v.is_boolean() || v.is_number(), "param " + Escaped(it.key()) + " is not a scalar");
    // The key is the body of some long option before "--": "--key", or "--key=..." when it holds no '='.
    bool found = false;
    for (size_t i = 1; i < argv.size() && !found && argv[i] != "--"; ++i) {
      const std::string& a = argv[i];
      if (!IsLongOption(a) || a.compare(2, it.key().size(), it.key()) != 0) continue;
      found = a.size() == 2 + it.key().size() || a[2 + it.key().size()] == '=';
    }
    FUZZ_CHECK(found, "param key not from a long option: " + Escaped(it.key()));
  }
  // What `trail run` records: the typed params and the exact argv.
  Json rec = Json::object();
  rec["command"] = argv;
  rec["params"] = params;
  std::string yaml = EmitYaml(rec);
  StatusOr<Json> back = ParseYaml(yaml, "emitted");
  FUZZ_CHECK(back.ok(), "EmitYaml wrote what ParseYaml rejects (" + back.status().message() + "): " + Escaped(yaml));
  FUZZ_CHECK(Identical(Sanitized(rec), *back),
             "params or command changed in a YAML round trip: " + Escaped(yaml) + "\n  read back: " + Shown(*back));
}

void CheckAssignments(const std::vector<std::string>& items) {
  for (bool typed : {false, true}) {
    StatusOr<Json> out = record::ParseAssignments(items, "-p", typed);
    size_t bad = items.size();
    for (size_t i = 0; i < items.size() && bad == items.size(); ++i) {
      size_t eq = items[i].find('=');
      if (eq == std::string::npos || eq == 0) bad = i;
    }
    if (bad < items.size()) {
      FUZZ_CHECK(!out.ok() && out.status().code() == Code::kInvalidArgument, "accepted " + Escaped(items[bad]));
      FUZZ_CHECK(out.status().message().starts_with("-p '" + items[bad] + "'"), out.status().message());
      continue;
    }
    FUZZ_CHECK(out.ok() && out->is_object(), "rejected valid assignments");
    for (const std::string& item : items) {
      size_t eq = item.find('=');
      std::string key = item.substr(0, eq);
      FUZZ_CHECK(out->contains(key), "lost key " + Escaped(key));
      if (!typed) FUZZ_CHECK((*out)[key].is_string(), "untyped value is not a string");
    }
  }
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> pieces;
  for (;;) {
    size_t nul = input.find('\0');
    pieces.emplace_back(input.substr(0, nul));
    if (nul == std::string_view::npos) break;
    input.remove_prefix(nul + 1);
  }
  for (const std::string& piece : pieces) trail::fuzz::CheckTypedValue(piece);
  trail::fuzz::CheckParamsFromArgs(pieces);
  trail::fuzz::CheckAssignments(pieces);
  return 0;
}
