#!/usr/bin/env python3
"""Checks that a unity build can join any two source files of the same target.

CI compiles every target as a unity build (scripts/test.sh: CMAKE_UNITY_BUILD, 16 files to a
translation unit). Two files of one target that both define the same name with internal linkage
(in an anonymous namespace, `static`, or a namespace-scope `const`/`constexpr`) then collide, but
only once the batching puts them together: adding a file elsewhere in the folder shifts the
batches. This check finds such pairs whatever the batches are, each reported as
  TARGET: NAME defined in FILE and FILE
so that a collision is named when it is written, not when an unrelated file lands.

What counts, at namespace scope in each .cc file: variables and constants, classes, structs,
enums and unions, and functions with the same parameter list (overloads that differ in their
parameters can share a name), each within its enclosing namespace; and such a name that a
header of the same folder declares in the same namespace, or that another file brings in with a
using-declaration (`using testing::Sh;`): the batch sees both, and a use becomes ambiguous. Type aliases and namespace aliases may repeat (the same alias twice is allowed).
A target is what CMakeLists.txt builds: src/<folder>/*.cc but the tests (the layer), and
src/<folder>/*_test.cc (its test program); the fuzz harnesses are not unity builds. The parse is
textual (comments and literals removed, braces tracked): it knows the house style, not all of C++.

Usage: scripts/check_unity.py [REPO_ROOT]   (exit status 1 when anything is reported)
"""
import collections
import glob
import os
import re
import sys


def strip_comments_and_literals(text):
    """The text with comments, string and character literals blanked (line breaks kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # a digit separator: 1'000
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


SPECIFIERS = r"(?:(?:static|inline|constexpr|const|constinit|extern|thread_local|\[\[[^\]]*\]\])\s+)*"
TYPE_DECL = re.compile(r"^(?:template\s*<.*>\s*)?(?:struct|class|union|enum(?:\s+class|\s+struct)?)\s+(?:\[\[[^\]]*\]\]\s*)?([A-Za-z_]\w*)(?:\s+final)?\s*(?::[^;]*)?$", re.S)
FUNCTION = re.compile(r"^(?:template\s*<.*>\s*)?" + SPECIFIERS + r"[\w:<>,\s\*&]*?[\s\*&]([A-Za-z_]\w*)\s*\((.*)\)\s*(?:const\s*)?(?:noexcept\s*)?(?:->\s*[\w:<>,\s\*&]+)?$", re.S)
VARIABLE = re.compile(r"^" + SPECIFIERS + r"[\w:<>,\s\*&]*?[\s\*&]([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?:=.*|\{.*\}|\(.*\))?$", re.S)
NOT_NAMES = {"operator", "return", "if", "for", "while", "switch", "main", "else", "do", "case"}


def normalize_params(params):
    """A parameter list reduced to its types' text: names and default arguments dropped."""
    params = re.sub(r"\s+", " ", params).strip()
    if params in ("", "void"):
        return ""
    parts, depth, cur = [], 0, ""
    for ch in params:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    types = []
    for p in parts:
        p = p.split("=")[0].strip()
        p = re.sub(r"\s*([A-Za-z_]\w*)\s*(\[[^\]]*\])?$", lambda m: "" if re.search(r"[\w>*&]\s+$|[*&]$", p[: m.start()] + " ") else m.group(0), p)
        types.append(re.sub(r"\s*([*&,<>])\s*", r"\1", " ".join(p.split())))
    return ",".join(types)


def internal_names(path, header=False):
    """{(namespace, kind, name, signature)} of the names with internal linkage path defines at
    namespace scope; for a header, of every name it declares at namespace scope outside an
    anonymous namespace (a unity batch sees every header its files include)."""
    text = strip_comments_and_literals(open(path, encoding="utf-8", errors="replace").read())
    text = re.sub(r"^\s*#.*(?:\\\n.*)*$", "", text, flags=re.M)  # preprocessor lines
    found = set()
    stack = []  # one entry per open brace: ("anon" | "ns" | "other", namespace name)
    pos = 0
    for m in re.finditer(r"[{};]", text):
        statement = " ".join(text[pos : m.start()].split())
        pos = m.end()
        at_namespace_scope = all(kind != "other" for kind, _ in stack)
        namespace = "::".join(name for kind, name in stack if kind == "ns" and name)
        anonymous = any(kind == "anon" for kind, _ in stack)
        if m.group(0) == "{":
            if re.search(r"(?:^|\s)namespace$", statement):
                stack.append(("anon", ""))
                continue
            named = re.search(r"(?:^|\s)(?:inline\s+)?namespace\s+([\w:]+)$", statement)
            if named or re.search(r'extern\s+""$', statement):
                stack.append(("ns", named.group(1) if named else ""))
                continue
            if at_namespace_scope and not (header and anonymous):
                note(namespace, statement, anonymous, header, True, found)
            stack.append(("other", ""))
        elif m.group(0) == "}":
            if stack:
                stack.pop()
        elif at_namespace_scope and not (header and anonymous):
            note(namespace, statement, anonymous, header, False, found)
    return found


def note(namespace, statement, in_anonymous, header, has_body, found):
    imported = re.match(r"^using\s+(?!namespace\b)[\w:]*::([A-Za-z_]\w*)$", statement)
    if imported and not header:  # `using testing::Sh;` brings Sh in, whatever its parameters
        found.add((namespace, "function", imported.group(1), "*"))
        return
    if not statement or statement.startswith(("using ", "namespace ", "typedef ", "friend ", "template class", "extern template")):
        return
    if re.match(r"^[A-Z_][A-Z0-9_]*\s*\(", statement):  # a macro call such as TEST(...)
        return
    static = re.match(r"^(?:template\s*<.*>\s*)?(?:inline\s+|constexpr\s+)*static\b", statement) is not None
    const = re.match(r"^(?:static\s+|inline\s+)*(?:constexpr|const)\b", statement) is not None
    if not (in_anonymous or static or const or header):
        return
    m = TYPE_DECL.match(statement)
    if m:
        if has_body:  # a definition; a forward declaration may repeat
            found.add((namespace, "type", m.group(1), ""))
        return
    m = FUNCTION.match(statement)
    if m and m.group(1) not in NOT_NAMES:
        if not (in_anonymous or static or header):  # `const T& F()` returns a const: F is extern
            return
        if has_body or header:  # a header's declaration makes the name ambiguous as well
            found.add((namespace, "function", m.group(1), normalize_params(m.group(2))))
        return
    m = VARIABLE.match(statement)
    if m and m.group(1) not in NOT_NAMES and "(" not in statement.split("=")[0]:
        found.add((namespace, "variable", m.group(1), ""))


def targets(root):
    """{target: ([files], [headers])} as CMakeLists.txt groups the sources, with the headers of
    their folder."""
    result = {}
    for folder in sorted(glob.glob(os.path.join(root, "src", "*"))):
        if not os.path.isdir(folder):
            continue
        name = "trail_" + os.path.basename(folder)
        sources = sorted(glob.glob(os.path.join(folder, "*.cc")))
        headers = sorted(glob.glob(os.path.join(folder, "*.h")))
        result[name] = ([s for s in sources if not s.endswith("_test.cc")], headers)
        result[name + "_test"] = ([s for s in sources if s.endswith("_test.cc")], headers)
    return result


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    header_names = {}
    for target, (files, headers) in targets(root).items():
        where = collections.defaultdict(list)
        for path in files:
            for key in internal_names(path):
                where[key].append(os.path.relpath(path, root))
        for path in headers:
            if path not in header_names:
                header_names[path] = internal_names(path, header=True)
            for key in header_names[path]:
                if key in where:
                    where[key].append(os.path.relpath(path, root))
        for (namespace, kind, name, signature), paths in list(where.items()):
            if signature == "*":  # a using-declaration: any function of that name elsewhere
                for other, other_paths in where.items():
                    if other[:3] == (namespace, kind, name) and other[3] != "*":
                        other_paths.extend(p for p in paths if p not in other_paths)
        for (_, kind, name, signature), paths in sorted(where.items()):
            if signature == "*":
                continue
            if len(paths) > 1:
                what = f"{name}({signature})" if kind == "function" else name
                problems.append(f"{target}: {kind} {what} defined in {' and '.join(paths)}")
    for p in problems:
        print(p)
    if problems:
        print(
            f"{len(problems)} name(s) with internal linkage defined twice in one target: a unity build "
            "(scripts/test.sh) fails once the files share a batch. Give each a name specific to its file."
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
