// Snapshots of CSV, TSV and JSON Lines files.
#include <nlohmann/json.hpp>
#include <optional>

#include "datafile/csv_fields.h"
#include "datafile/snapshot_formats.h"
#include "datafile/text_rows.h"

namespace trail::datafile {
namespace {

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// The class of a JSON Lines row: the key's value, strings as themselves and anything else as
// compact JSON; a missing key is the class "null", like an explicit null.
StatusOr<std::string> JsonClass(std::string_view row, const std::string& key, uint64_t row_number,
                                const std::string& path) {
  auto doc = nlohmann::json::parse(row.begin(), row.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Corrupt(path + ": row " + std::to_string(row_number) + " is not valid JSON");
  if (!doc.is_object()) return Corrupt(path + ": row " + std::to_string(row_number) + " is not a JSON object");
  auto it = doc.find(key);
  if (it == doc.end()) return std::string("null");
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace

StatusOr<SnapshotResult> SnapshotTextRows(InputFile& in, DataFormat format, uint64_t block_length,
                                          const SnapshotOptions& options, OutputFile& out) {
  const bool delimited = format != DataFormat::kJsonLines;
  const char delimiter = Delimiter(format);
  const std::string& column = options.stratify_column;
  BlockSampler sampler(block_length, options.seed, 0);
  StratifiedSampler stratified(block_length, options.seed);
  std::optional<size_t> column_index;
  std::string value;  // the current row's class, reused across rows
  SnapshotResult result;

  Status status = ForEachTextRow(in, format, [&](std::string_view row, bool is_header) -> Status {
    if (is_header) {
      if (!column.empty()) {
        std::vector<std::string> names = SplitCsvFields(row, delimiter);
        for (size_t i = 0; i < names.size(); ++i) {
          if (names[i] == column) {
            column_index = i;
            break;
          }
        }
        if (!column_index) {
          return InvalidArgument(in.path() + ": no column '" + column +
                                 "' to stratify by; columns: " + JoinColumns(names));
        }
      }
      return out.Append(row);
    }
    ++result.rows_in;
    bool keep;
    if (column.empty()) {
      keep = sampler.Take();
    } else {
      if (delimited) {
        CsvFieldAt(row, delimiter, *column_index, &value);  // a short row is class ""
      } else {
        TRAIL_ASSIGN_OR_RETURN(value, JsonClass(row, column, result.rows_in, in.path()));
      }
      TRAIL_ASSIGN_OR_RETURN(keep, stratified.Take(value));
    }
    if (!keep) return Status::Ok();
    ++result.rows_kept;
    return out.Append(row);
  });
  TRAIL_RETURN_IF_ERROR(status);
  if (!column.empty()) result.classes = stratified.Counts();
  return result;
}

}  // namespace trail::datafile
