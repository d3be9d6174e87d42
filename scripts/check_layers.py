#!/usr/bin/env python3
"""Checks that every #include in src/ and include/ respects the layering (src/README.md).

Rules, each violation reported as FILE:LINE: message:
  1. A public header (include/trail/**) includes only "trail/..." headers, the C++ standard
     library (<string>, <cstdint>, ...) and <nlohmann/...>.
  2. The front ends (src/cli/, src/python/, src/server/) include only public headers ("trail/...")
     and headers of their own folder (by bare name); never a layer's header. The server's one
     public header, "server/server.h" (src/server/public/), is the exception: the server includes
     it, and the CLI may (`trail ui`); nothing else of the server is reachable from the CLI.
  3. A layer (src/<folder>/, CMake target trail_<folder>) includes headers of its own folder,
     of the layers it links (directly or through them, as CMakeLists.txt's
     target_link_libraries says), and of the public headers only the shared types
     (SHARED_PUBLIC): the rest of include/trail/ is implemented above every layer, in src/api/.
  4. CMakeLists.txt agrees: the `trail` executable, the `_trail` module and trail_server link no
     layer but trail_api (and `trail` links trail_server).

Usage: scripts/check_layers.py [REPO_ROOT]   (exit status 1 when anything is reported)
"""
import os
import re
import sys

# Public headers every layer may use: types shared by the library and its API.
SHARED_PUBLIC = {"trail/status.h", "trail/json.h", "trail/sys/backend.h", "trail/progress.h"}
# The front ends, their CMake targets, and the only library target they may link.
FRONT_ENDS = {"cli": "trail", "python": "_trail", "server": "trail_server"}
FRONT_END_LIBRARY = "trail_api"
# Other front ends' targets a front end may link, and the one header of theirs it may include.
FRONT_END_EXTRA_LINKS = {"cli": {"trail_server"}}
SERVER_PUBLIC_HEADER = "server/server.h"
FRONT_END_EXTRA_HEADERS = {"cli": {SERVER_PUBLIC_HEADER}, "server": {SERVER_PUBLIC_HEADER}}

# Violations known and owned elsewhere, each with its way out: reported as notes, not failures,
# until fixed. An entry that no longer matches is named too, so the list can only shrink.
KNOWN_VIOLATIONS = set()

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXTS = (".h", ".cc", ".hpp", ".cpp")


def read_link_graph(cmake_text):
    """target -> set of trail_* targets it links (any visibility), from target_link_libraries."""
    graph = {}
    for m in re.finditer(r"target_link_libraries\(\s*([\w-]+)(.*?)\)", cmake_text, re.S):
        target, body = m.group(1), m.group(2)
        deps = set(re.findall(r"\btrail_\w+", body))
        graph.setdefault(target, set()).update(d for d in deps if not d.endswith("_test"))
    return graph


def closure(graph, target):
    seen, todo = set(), [target]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def is_std_header(name):
    return "/" not in name and "." not in name


def sources(top):
    for dirpath, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(SOURCE_EXTS):
                yield os.path.join(dirpath, f)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if m:
                yield number, m.group(1) == "<", m.group(2)


def main(root):
    problems = []

    known_seen = set()

    def report(path, line, message, name=None):
        rel = os.path.relpath(path, root)
        if (rel, name) in KNOWN_VIOLATIONS:
            known_seen.add((rel, name))
            print(f"{rel}:{line}: known, to fix: {message}")
            return
        problems.append(f"{rel}:{line}: {message}")

    cmake_path = os.path.join(root, "CMakeLists.txt")
    with open(cmake_path, encoding="utf-8") as f:
        graph = read_link_graph(f.read())
    src = os.path.join(root, "src")
    layers = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))

    # Rule 4: the front ends link the API alone.
    for folder, target in FRONT_ENDS.items():
        allowed_links = {FRONT_END_LIBRARY} | FRONT_END_EXTRA_LINKS.get(folder, set())
        for dep in sorted(graph.get(target, set()) - allowed_links):
            report(cmake_path, 0, f"{target} ({folder}/) links {dep}; front ends link {FRONT_END_LIBRARY} only")

    # Rule 1: public headers.
    for path in sources(os.path.join(root, "include")):
        for line, angle, name in includes(path):
            if angle and (is_std_header(name) or name.startswith("nlohmann/")):
                continue
            if not angle and name.startswith("trail/"):
                continue
            report(path, line, f"public header includes {name}: only trail/*, std and nlohmann are allowed")

    for layer in layers:
        folder = os.path.join(src, layer)
        own = set(os.listdir(folder))
        front_end = layer in FRONT_ENDS
        if front_end:
            allowed = set()
        else:
            target = "trail_" + layer
            allowed = {d[len("trail_"):] for d in closure(graph, target)} | {layer}
        for path in sources(folder):
            for line, angle, name in includes(path):
                first = name.split("/", 1)[0]
                if front_end and not angle and name in FRONT_END_EXTRA_HEADERS.get(layer, set()):
                    continue
                if "/" not in name:
                    if not angle and name not in own:
                        report(path, line, f"includes {name}, which is not in {layer}/")
                    continue
                if first == "trail":
                    if front_end or layer == "api" or name in SHARED_PUBLIC:
                        continue
                    report(path, line, f"layer {layer} includes the public API header {name} "
                           f"(implemented above it, in src/api/); only {', '.join(sorted(SHARED_PUBLIC))}")
                    continue
                if first not in layers:
                    continue  # a third-party or system header (<CLI/CLI.hpp>, <sys/wait.h>)
                if front_end:
                    report(path, line, f"front end {layer}/ includes {name}: use the public API (include/trail/)")
                elif first not in allowed:
                    report(path, line, f"layer {layer} includes {name}, but trail_{layer} does not link trail_{first} "
                           f"(allowed: {', '.join(sorted(allowed - {layer})) or 'none'})", name)

    for rel, name in sorted(KNOWN_VIOLATIONS - known_seen):
        print(f"{rel}: the known violation (includes {name}) is gone: remove it from KNOWN_VIOLATIONS")
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))))
