// The paper's Table 3 "packages / libraries used": the installed
// distributions a program imports, found from its sources.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "context/program_sources.h"
#include "context/python_env.h"

namespace trail::context {

// {distribution: version, ...} for the imports in `sources.imports`, sorted
// by normalized distribution name, then `unresolved: [names]` (sorted) for
// imports no installed distribution provides, when there are any. The
// standard library is left out: the built-in list (IsStdlibModule) and what
// the interpreter's own library folder holds (`python.stdlib`). Imports are
// mapped to distributions through `python.site_packages`: first by a
// distribution named like the import (torch, numpy) or a well-known other
// name (sklearn → scikit-learn, cv2 → opencv-python, yaml → PyYAML); what
// is left through every distribution's top_level.txt or RECORD
// (ImportIndex), read only then. Fail-soft: unreadable metadata of a
// distribution named like an import adds a warning, as ScanDistributions
// does; that of others, met while looking for the rest, is not reported.
Json ScanPackages(const ProgramSources& sources, const PythonEnv& python, std::vector<std::string>* warnings);

}  // namespace trail::context
