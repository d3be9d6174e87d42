#include "datafile/text_rows.h"

#include <string>

#include "datafile/row_splitter.h"

namespace trail::datafile {
namespace {

bool IsWhitespace(std::string_view row) {
  for (char c : row) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

char Delimiter(DataFormat format) { return format == DataFormat::kTsv ? '\t' : ','; }

Status ForEachTextRow(InputFile& file, DataFormat format,
                      const std::function<Status(std::string_view row, bool is_header)>& on_row) {
  const bool delimited = format == DataFormat::kCsv || format == DataFormat::kTsv;
  // JSON strings cannot hold a raw newline, so JSON Lines needs no quote tracking.
  RowSplitter splitter(Delimiter(format), /*quoting=*/delimited);
  bool header_pending = delimited;
  uint64_t rows = 0;
  auto handle = [&](std::string_view row) -> Status {
    if (delimited ? RowSplitter::IsBlank(row) : IsWhitespace(row)) return Status::Ok();
    ++rows;
    bool is_header = header_pending;
    header_pending = false;
    return on_row(row, is_header);
  };
  std::string block;
  std::string_view row;
  while (true) {
    TRAIL_RETURN_IF_ERROR(file.ReadBlock(&block));
    if (block.empty()) break;
    splitter.SetBlock(block);
    while (splitter.NextRow(&row)) TRAIL_RETURN_IF_ERROR(handle(row));
  }
  if (splitter.FinishRow(&row)) TRAIL_RETURN_IF_ERROR(handle(row));
  if (splitter.ended_in_quotes()) {
    return Corrupt(file.path() + ": a quoted field opened in row " + std::to_string(rows) + " is never closed");
  }
  return Status::Ok();
}

}  // namespace trail::datafile
