// Fuzzes the .npy header reader (dataset/npy.h): NpyHeaderSize and ParseNpyHeader on arbitrary
// bytes, and RewriteNpyHeader on what they accept (snapshots of .npy files write it).
//
// Checks, beyond "never crashes":
//   - Errors are Corrupt and name the file.
//   - An accepted header: its data offset is NpyHeaderSize of its prefix; the shape's span lies
//     inside the dict and holds the shape's text.
//   - Rewriting an accepted header (not 0-d) to a row count taken from the input gives a header
//     that parses back with the same version, descr and order, the new leading dimension, the
//     other dimensions unchanged, and its data 64-byte aligned.
#include <cstdint>
#include <string>
#include <string_view>

#include "datafile/npy.h"
#include "fuzz/check.h"

namespace trail::fuzz {
namespace {

const std::string kName = "data/x.npy";

std::string ShapeText(const std::vector<uint64_t>& shape) {
  std::string out = "(";
  for (uint64_t d : shape) out += std::to_string(d) + ",";
  return out + ")";
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto note = [&](const std::string& what) { return what + "\n  input: " + fuzz::Escaped(input); };

  StatusOr<uint64_t> header_size = datafile::NpyHeaderSize(input.substr(0, datafile::kNpyPrefixSize), fuzz::kName);
  StatusOr<datafile::NpyHeader> h = datafile::ParseNpyHeader(input, fuzz::kName);
  if (!h.ok()) {
    const std::string& m = h.status().message();
    FUZZ_CHECK(h.status().code() == Code::kCorrupt, note("error is not Corrupt: " + m));
    FUZZ_CHECK(m.starts_with(fuzz::kName + ": "), note("error does not name the file: " + fuzz::Escaped(m)));
    return 0;
  }
  FUZZ_CHECK(header_size.ok() && *header_size == h->data_offset, note("data offset is not the header size"));
  FUZZ_CHECK(h->shape_begin <= h->shape_end && h->shape_end <= h->dict.size(), note("shape span outside the dict"));
  FUZZ_CHECK(h->major >= 1 && h->major <= 3, note("unsupported version accepted"));
  if (h->shape.empty()) return 0;

  uint64_t rows = 0;
  for (size_t i = 0; i < size && i < 8; ++i) rows = rows << 8 | data[size - 1 - i];
  if (size > 0 && data[0] & 1) rows = h->shape[0] / 2;  // also a realistic cut
  const std::string rewritten = datafile::RewriteNpyHeader(*h, rows);
  StatusOr<datafile::NpyHeader> back = datafile::ParseNpyHeader(rewritten, fuzz::kName);
  FUZZ_CHECK(back.ok(), note("the rewritten header does not parse: " + back.status().message() +
                             "\n  rewritten: " + fuzz::Escaped(rewritten)));
  FUZZ_CHECK(back->data_offset == rewritten.size() && rewritten.size() % 64 == 0,
             note("the rewritten header is not 64-byte aligned"));
  std::vector<uint64_t> want = h->shape;
  want[0] = rows;
  FUZZ_CHECK(back->major == h->major && back->minor == h->minor && back->descr == h->descr &&
                 back->fortran_order == h->fortran_order && back->shape == want,
             note("the rewritten header says " + fuzz::ShapeText(back->shape) + ", not " + fuzz::ShapeText(want) +
                  "\n  rewritten: " + fuzz::Escaped(rewritten)));
  return 0;
}
