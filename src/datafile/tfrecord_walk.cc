#include "datafile/tfrecord_walk.h"

#include "base/crc32c.h"

namespace trail::datafile {

StatusOr<bool> TfRecordWalker::Next(TfRecordSpan* record) {
  const uint64_t size = file_.size();
  if (offset_ == size) return false;
  const std::string at = file_.path() + ": record at offset " + std::to_string(offset_);
  if (size - offset_ < 12) return Corrupt(at + " is truncated (header cut short)");
  TRAIL_ASSIGN_OR_RETURN(std::string_view header, window_.View(offset_, 12));
  uint64_t length = 0;
  uint32_t crc = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(header[i]);
  for (int i = 11; i >= 8; --i) crc = (crc << 8) | static_cast<unsigned char>(header[i]);
  if (MaskCrc(Crc32c(header.substr(0, 8))) != crc)
    return Corrupt(at + ": length checksum mismatch (not TFRecord, or damaged)");
  if (length > size - offset_ - 12 || size - offset_ - 12 - length < 4) {
    return Corrupt(at + " is truncated (declares " + std::to_string(length) + " bytes of data, file ends first)");
  }
  record->offset = offset_;
  record->length = length;
  offset_ += length + kTfRecordOverhead;
  return true;
}

}  // namespace trail::datafile
