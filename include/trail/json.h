// Json: the in-memory form of every record trail reads or writes (runs, sweeps, context).
//
// An ordered JSON object: keys keep the order they were inserted in, which is the order the
// record's YAML is written in. The same alias as the library's own, so values pass through
// the API without conversion.
#pragma once

#include <nlohmann/json.hpp>

namespace trail {

using Json = nlohmann::ordered_json;

}  // namespace trail
