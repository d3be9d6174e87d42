// Aligned text tables and CSV for people and spreadsheets.
#pragma once

#include <string>
#include <vector>

#include "trail/json.h"

namespace trail::cli {

using Row = std::vector<std::string>;

// Columns padded to their widest cell (in terminal columns: CJK and emoji count 2), two spaces
// apart; numbers right-aligned.
std::string RenderTable(const Row& header, const std::vector<Row>& rows);
// One CSV record (RFC 4180: fields with commas, quotes or newlines are quoted), with its newline.
std::string CsvLine(const Row& row);
// A value as a table cell: numbers to 4 significant digits, the rest as text.
std::string Cell(const Json& v);
// Local time "2026-11-26 07:30:12" of an ISO-8601 UTC timestamp.
std::string LocalTime(const std::string& iso);

}  // namespace trail::cli
