// Fuzzes the reading of a training program's Python source (src/context/): the input is one
// source file, tokenized (Tokenize, StringLiteralValue), its imports parsed (FindImports) and the
// Table 1 function scan and the seed scan run over it (ScanFunctions, ScanSeeds), as
// FindProgramSources and the run's context capture do for the entry file.
//
// Checks, beyond "never crashes" (the tokenizer promises never to fail):
//   - Tokens lie inside the source, in order and without overlap, on non-decreasing lines from 1;
//     the list ends with a kNewline whenever there is a token; tokenizing again gives the same.
//   - StringLiteralValue of a string token is a part of that token.
//   - Import statements sit on a line of the file; `from` data only on from-imports; TopLevel()
//     is the first component of an absolute import and empty for a relative one.
//   - Every finding is {category, name, found, at} with a (category, name) from the function
//     table (AllFunctionKinds), each pair once; found and at hold 1 to 5 distinct valid-UTF-8
//     strings, and each place is "t.py:<line>" with a line of the file.
//   - Every seed is {call, value, at} of valid-UTF-8 strings, at most 100 of them: call non-empty,
//     value at most 80 bytes, at a place as above.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/text.h"
#include "context/function_scan.h"
#include "context/function_table.h"
#include "context/program_sources.h"
#include "context/py_imports.h"
#include "context/py_tokenizer.h"
#include "context/seed_scan.h"
#include "fuzz/check.h"

namespace trail::fuzz {
namespace {

using context::Token;
using context::TokenKind;

constexpr const char* kDisplay = "t.py";

// Lines as Python counts them: "\n", "\r\n" and a lone "\r" each end one.
uint32_t LineCount(std::string_view text) {
  uint32_t lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
  }
  return lines;
}

void CheckTokens(std::string_view text, const context::TokenizedSource& t) {
  const std::vector<Token>& tokens = t.tokens;
  const uint32_t lines = LineCount(text);
  uint64_t end = 0;
  uint32_t line = 1;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& tok = tokens[i];
    auto note = [&] {
      return "token " + std::to_string(i) + " at " + std::to_string(tok.begin) + "+" + std::to_string(tok.size) +
             " line " + std::to_string(tok.line) + "\n  input: " + Escaped(text);
    };
    FUZZ_CHECK(uint64_t{tok.begin} + tok.size <= text.size(), "token outside the source: " + note());
    FUZZ_CHECK(tok.begin >= end, "tokens out of order or overlapping: " + note());
    FUZZ_CHECK(tok.line >= line && tok.line <= lines, "token line out of order or past the file: " + note());
    FUZZ_CHECK(tok.kind == TokenKind::kNewline || tok.size > 0, "empty token: " + note());
    end = uint64_t{tok.begin} + tok.size;
    line = tok.line;
    if (tok.kind == TokenKind::kString) {
      std::string_view literal = context::TokenText(text, tok);
      std::optional<std::string_view> value = context::StringLiteralValue(literal);
      if (value) {
        FUZZ_CHECK(value->data() >= literal.data() && value->data() + value->size() <= literal.data() + literal.size(),
                   "StringLiteralValue outside its literal: " + note());
      }
    }
    (void)context::IsStatementStart(text, tokens, i);
  }
  if (!tokens.empty()) {
    FUZZ_CHECK(tokens.back().kind == TokenKind::kNewline,
               "tokens do not end with a newline\n  input: " + Escaped(text));
  }

  context::TokenizedSource again = context::Tokenize(text);
  bool same = again.error == t.error && again.tokens.size() == tokens.size();
  for (size_t i = 0; same && i < tokens.size(); ++i) {
    const Token& a = tokens[i];
    const Token& b = again.tokens[i];
    same = a.kind == b.kind && a.begin == b.begin && a.size == b.size && a.line == b.line && a.depth == b.depth;
  }
  FUZZ_CHECK(same, "tokenizing twice differs\n  input: " + Escaped(text));
}

void CheckImports(std::string_view text, const std::vector<context::ImportStatement>& imports) {
  const uint32_t lines = LineCount(text);
  for (const context::ImportStatement& s : imports) {
    auto note = [&] {
      return "import of '" + Escaped(s.module) + "' at line " + std::to_string(s.line) + "\n  input: " + Escaped(text);
    };
    FUZZ_CHECK(s.line >= 1 && s.line <= lines, "import line past the file: " + note());
    FUZZ_CHECK(s.level >= 0, "negative level: " + note());
    if (!s.is_from) {
      FUZZ_CHECK(s.level == 0 && s.names.empty(), "plain import with from-import data: " + note());
      FUZZ_CHECK(!s.module.empty(), "plain import of no module: " + note());
    } else {
      FUZZ_CHECK(s.alias.empty(), "from-import with a module alias: " + note());
      FUZZ_CHECK(s.level > 0 || !s.module.empty(), "absolute from-import of no module: " + note());
      for (const context::ImportedName& n : s.names) {
        FUZZ_CHECK(!n.name.empty() && !n.bound().empty(), "imported name is empty: " + note());
      }
    }
    std::string top = s.TopLevel();
    std::string expected = s.level > 0 ? "" : s.module.substr(0, s.module.find('.'));
    FUZZ_CHECK(top == expected, "TopLevel() is '" + Escaped(top) + "': " + note());
  }
}

// "t.py:<line>" with a line of the file.
bool IsPlace(const std::string& s, uint32_t lines) {
  const std::string prefix = std::string(kDisplay) + ":";
  if (!s.starts_with(prefix) || s.size() == prefix.size() || s.size() >= prefix.size() + 11) return false;
  uint64_t line = 0;
  for (size_t i = prefix.size(); i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    line = line * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  return line >= 1 && line <= lines;
}

void CheckSeeds(std::string_view text, const Json& seeds) {
  auto note = [&](const std::string& what) {
    return what + "\n  seeds: " + Shown(seeds) + "\n  input: " + Escaped(text);
  };
  FUZZ_CHECK(seeds.is_array() && seeds.size() <= 100, note("ScanSeeds did not give an array of at most 100"));
  for (const Json& s : seeds) {
    FUZZ_CHECK(s.is_object() && s.size() == 3, note("seed is not {call, value, at}"));
    for (const char* key : {"call", "value", "at"}) {
      FUZZ_CHECK(s.contains(key) && s[key].is_string() && IsValidUtf8(s[key].get<std::string>()),
                 note(std::string(key) + " is not a valid UTF-8 string"));
    }
    FUZZ_CHECK(!s["call"].get<std::string>().empty(), note("empty call"));
    FUZZ_CHECK(s["value"].get<std::string>().size() <= 80, note("value over 80 bytes"));
    FUZZ_CHECK(IsPlace(s["at"].get<std::string>(), LineCount(text)), note("bad place"));
  }
}

void CheckFindings(std::string_view text, const Json& findings) {
  static const std::set<std::pair<std::string, std::string>> known = [] {
    std::set<std::pair<std::string, std::string>> out;
    for (const context::FunctionKind& k : context::AllFunctionKinds()) {
      out.emplace(std::string(k.category), std::string(k.name));
    }
    return out;
  }();
  const uint32_t lines = LineCount(text);
  auto note = [&](const std::string& what) {
    return what + "\n  findings: " + Shown(findings) + "\n  input: " + Escaped(text);
  };
  FUZZ_CHECK(findings.is_array(), note("ScanFunctions did not give an array"));
  std::set<std::pair<std::string, std::string>> seen;
  for (const Json& f : findings) {
    FUZZ_CHECK(f.is_object() && f.size() == 4 && f.contains("category") && f.contains("name") && f.contains("found") &&
                   f.contains("at"),
               note("finding is not {category, name, found, at}"));
    FUZZ_CHECK(f["category"].is_string() && f["name"].is_string(), note("category or name is not a string"));
    std::pair<std::string, std::string> kind{f["category"].get<std::string>(), f["name"].get<std::string>()};
    FUZZ_CHECK(!kind.first.empty() && !kind.second.empty(), note("empty category or name"));
    FUZZ_CHECK(known.count(kind), note("(" + kind.first + ", " + kind.second + ") is not in the function table"));
    FUZZ_CHECK(seen.insert(kind).second, note("(" + kind.first + ", " + kind.second + ") reported twice"));
    for (const char* list : {"found", "at"}) {
      const Json& items = f[list];
      FUZZ_CHECK(items.is_array() && !items.empty() && items.size() <= 5,
                 note(std::string(list) + " holds 0 or over 5"));
      std::set<std::string> distinct;
      for (const Json& item : items) {
        FUZZ_CHECK(item.is_string(), note(std::string(list) + " holds a non-string"));
        const std::string& s = item.get_ref<const std::string&>();
        FUZZ_CHECK(IsValidUtf8(s), note(std::string(list) + " holds invalid UTF-8"));
        FUZZ_CHECK(distinct.insert(s).second, note(std::string(list) + " holds '" + Escaped(s) + "' twice"));
      }
    }
    for (const Json& at : f["at"]) {
      const std::string& s = at.get_ref<const std::string&>();
      FUZZ_CHECK(IsPlace(s, lines), note("bad place '" + Escaped(s) + "'"));
    }
  }
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  // FindProgramSources skips bigger files.
  if (size > context::SourceLimits{}.max_file_bytes) return 0;

  // One source file, built as FindProgramSources builds each file it reads.
  context::SourceFile file;
  file.path = "/fuzz/t.py";
  file.display = fuzz::kDisplay;
  file.text.assign(reinterpret_cast<const char*>(data), size);
  context::TokenizedSource tokenized = context::Tokenize(file.text);
  fuzz::CheckTokens(file.text, tokenized);
  file.tokens = std::move(tokenized.tokens);
  file.imports = context::FindImports(file.text, file.tokens);
  fuzz::CheckImports(file.text, file.imports);

  context::ProgramSources sources;
  sources.repo_root = "/fuzz";
  sources.files.push_back(std::move(file));
  Json findings = context::ScanFunctions(sources);
  fuzz::CheckFindings(sources.files[0].text, findings);
  fuzz::CheckSeeds(sources.files[0].text, context::ScanSeeds(sources));
  return 0;
}
