#include "datafile/format.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "datafile/input_file.h"

namespace trail::datafile {
namespace {

std::string LowerExtension(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

DataFormat Sniff(const std::string& path) {
  auto file = InputFile::Open(path);
  if (!file.ok()) return DataFormat::kOther;
  std::string head;
  if (file->size() >= 6 && file->ReadAt(0, 6, &head).ok() && head == std::string_view("\x93NUMPY", 6)) {
    return DataFormat::kNpy;
  }
  if (file->size() >= 4 && file->ReadAt(0, 4, &head).ok() && head == std::string_view("PK\x03\x04", 4)) {
    return DataFormat::kNpz;  // only a guess: any zip; counting checks its members are .npy
  }
  std::string tail;
  if (file->size() >= 12 && file->ReadAt(0, 4, &head).ok() && file->ReadAt(file->size() - 4, 4, &tail).ok() &&
      head == "PAR1" && tail == "PAR1") {
    return DataFormat::kParquet;
  }
  return DataFormat::kOther;
}

}  // namespace

std::string_view FormatName(DataFormat format) {
  switch (format) {
    case DataFormat::kCsv:
      return "csv";
    case DataFormat::kTsv:
      return "tsv";
    case DataFormat::kJsonLines:
      return "jsonl";
    case DataFormat::kNpy:
      return "npy";
    case DataFormat::kNpz:
      return "npz";
    case DataFormat::kTfRecord:
      return "tfrecord";
    case DataFormat::kParquet:
      return "parquet";
    case DataFormat::kOther:
      return "other";
  }
  return "other";
}

DataFormat FormatFromName(std::string_view path) {
  std::string ext = LowerExtension(path);
  if (ext == "csv") return DataFormat::kCsv;
  if (ext == "tsv" || ext == "tab") return DataFormat::kTsv;
  if (ext == "jsonl" || ext == "ndjson") return DataFormat::kJsonLines;
  if (ext == "npy") return DataFormat::kNpy;
  if (ext == "npz") return DataFormat::kNpz;
  if (ext == "tfrecord" || ext == "tfrecords" || ext == "tfrec") return DataFormat::kTfRecord;
  if (ext == "parquet" || ext == "pq") return DataFormat::kParquet;
  return DataFormat::kOther;
}

DataFormat DetectFormat(const std::string& path) {
  DataFormat by_name = FormatFromName(path);
  return by_name != DataFormat::kOther ? by_name : Sniff(path);
}

}  // namespace trail::datafile
