#include "datafile/parquet.h"

#include <optional>

#include "datafile/thrift_compact.h"

namespace trail::datafile {

StatusOr<uint64_t> ParquetRowCountFromFooter(std::string_view footer, const std::string& name) {
  ThriftCompactReader reader(footer);
  std::optional<int64_t> num_rows;
  int16_t last = 0, id;
  ThriftType type;
  while (true) {
    if (!reader.ReadFieldHeader(last, &id, &type)) return Corrupt(name + ": bad Parquet footer: " + reader.error());
    if (type == ThriftType::kStop) break;
    if (id == 3 && type == ThriftType::kI64) {
      int64_t v;
      if (!reader.ReadI64(&v)) return Corrupt(name + ": bad Parquet footer: " + reader.error());
      num_rows = v;
    } else if (!reader.Skip(type)) {
      return Corrupt(name + ": bad Parquet footer: " + reader.error());
    }
    last = id;
  }
  if (!num_rows) return Corrupt(name + ": Parquet footer has no num_rows");
  if (*num_rows < 0) return Corrupt(name + ": Parquet footer says num_rows is " + std::to_string(*num_rows));
  return static_cast<uint64_t>(*num_rows);
}

StatusOr<uint64_t> ReadParquetRowCount(const InputFile& file) {
  const std::string& name = file.path();
  if (file.size() < 12) return Corrupt(name + ": not a Parquet file (" + std::to_string(file.size()) + " bytes)");
  std::string head, tail;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(0, 4, &head));
  TRAIL_RETURN_IF_ERROR(file.ReadAt(file.size() - 8, 8, &tail));
  if (head != "PAR1" || tail.compare(4, 4, "PAR1") != 0) {
    // "PARE" marks encrypted footers; say so rather than "not Parquet".
    if (tail.compare(4, 4, "PARE") == 0) return InvalidArgument(name + ": encrypted Parquet footers are not supported");
    return Corrupt(name + ": not a Parquet file (no PAR1 magic at both ends)");
  }
  uint64_t length = 0;
  for (int i = 3; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(tail[i]);
  if (length > file.size() - 12) {
    return Corrupt(name + ": Parquet footer length " + std::to_string(length) + " exceeds the file (" +
                   std::to_string(file.size()) + " bytes)");
  }
  if (length > kMaxParquetFooterSize) return Corrupt(name + ": Parquet footer of " + std::to_string(length) + " bytes");
  std::string footer;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(file.size() - 8 - length, static_cast<size_t>(length), &footer));
  return ParquetRowCountFromFooter(footer, name);
}

}  // namespace trail::datafile
