// Import statements read from a tokenized Python file.
//
// Every `import` and `from ... import` statement counts wherever it stands:
// at module level, inside functions and classes, in try/except fallbacks,
// after `if x:` on the same line. Dynamic imports (importlib.import_module,
// __import__) are not statements and are not seen.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "context/py_tokenizer.h"

namespace trail::context {

struct ImportedName {
  std::string name;   // "Adam", or "*" for a star import
  std::string alias;  // the `as` name; empty when none
  // The name the statement binds in the importing file.
  const std::string& bound() const { return alias.empty() ? name : alias; }
};

// One imported module: `import a.b as c, d` gives two statements.
struct ImportStatement {
  uint32_t line = 0;
  bool is_from = false;
  int level = 0;                    // leading dots of a relative from-import; 0 = absolute
  std::string module;               // "a.b"; empty in `from . import x`
  std::string alias;                // plain import: the `as` name, empty when none
  std::vector<ImportedName> names;  // from-import only

  // The first component: "a" for `import a.b` and `from a.b import c`;
  // "" for relative imports.
  std::string TopLevel() const;
};

// True when tokens[i] begins a statement: the first token of a logical
// line, or one after ';' or a block's ':' on the same line.
bool IsStatementStart(std::string_view source, const std::vector<Token>& tokens, size_t i);

// The statement(s) of the import that starts at tokens[*i] ("import" or
// "from" at a statement start); advances *i past the statement. Returns
// nothing (and advances past the keyword) for a malformed one.
std::vector<ImportStatement> ParseImportAt(std::string_view source, const std::vector<Token>& tokens, size_t* i);

// Every import statement of a file, in source order.
std::vector<ImportStatement> FindImports(std::string_view source, const std::vector<Token>& tokens);

}  // namespace trail::context
