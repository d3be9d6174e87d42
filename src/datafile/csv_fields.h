// Fields of one CSV/TSV row, unquoted by the same rules RowSplitter uses to find rows
// (row_splitter.h): only the header and, when stratifying, one column are ever split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trail::datafile {

// The row without its terminator.
std::string_view StripTerminator(std::string_view row);

// The fields of `row` (terminator allowed), at most `max_fields` of them: splitting stops once
// the column a caller needs is reached.
std::vector<std::string> SplitCsvFields(std::string_view row, char delimiter, size_t max_fields = SIZE_MAX);

// Field `index` of `row` into `out`, skipping the fields before it without copying them: the
// per-row path of stratified snapshots. False (and `out` empty) if the row is shorter.
bool CsvFieldAt(std::string_view row, char delimiter, size_t index, std::string* out);

}  // namespace trail::datafile
