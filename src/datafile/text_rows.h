// One streaming pass over the rows of a text dataset (CSV, TSV, JSON Lines), in blocks of
// kStreamBlockSize: counting and snapshots walk files the same way, so they agree on what a row is.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "datafile/format.h"
#include "datafile/input_file.h"
#include "trail/status.h"

namespace trail::datafile {

// Calls `on_row` for every non-blank row, terminator included; the view is valid only during the
// call. For CSV/TSV the first non-blank row comes with is_header=true. Blank rows (only a line
// terminator; for JSON Lines, only whitespace) are skipped wherever they are. A CSV/TSV file that
// ends inside a quoted field is Corrupt. A status other than Ok from `on_row` stops the pass.
Status ForEachTextRow(InputFile& file, DataFormat format,
                      const std::function<Status(std::string_view row, bool is_header)>& on_row);

// The field separator of a delimited format: ',' for CSV, '\t' for TSV.
char Delimiter(DataFormat format);

}  // namespace trail::datafile
