#include "datafile/npy.h"

#include <cctype>
#include <cstring>

namespace trail::datafile {
namespace {

constexpr std::string_view kMagic("\x93NUMPY", 6);

uint32_t LoadLe(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && std::isspace(static_cast<unsigned char>(s[*i]))) ++*i;
}

// The end of the value starting at `i`: the next ',' or '}' outside brackets and strings.
bool ScanValue(std::string_view s, size_t i, size_t* end) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) return false;
      i = close + 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) break;  // the dict's own closing brace
      --depth;
    }
    if (c == ',' && depth == 0) break;
    ++i;
  }
  if (i >= s.size() || depth != 0) return false;
  *end = i;
  return true;
}

bool ParseShape(std::string_view v, std::vector<uint64_t>* shape) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')') return false;
  v = v.substr(1, v.size() - 2);
  size_t i = 0;
  while (true) {
    SkipSpace(v, &i);
    if (i == v.size()) return true;
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
    uint64_t n = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      uint64_t digit = static_cast<uint64_t>(v[i] - '0');
      if (n > (UINT64_MAX - digit) / 10) return false;
      n = n * 10 + digit;
      ++i;
    }
    if (i < v.size() && v[i] == 'L') ++i;  // Python 2 longs, in old files
    shape->push_back(n);
    SkipSpace(v, &i);
    if (i == v.size()) return true;
    if (v[i] != ',') return false;
    ++i;
  }
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

StatusOr<uint64_t> NpyHeaderSize(std::string_view prefix, const std::string& name) {
  if (prefix.size() < 10 || prefix.substr(0, 6) != kMagic) return Corrupt(name + ": not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(prefix[6]);
  if (major == 1) return 10 + static_cast<uint64_t>(LoadLe(prefix, 8, 2));
  if (major == 2 || major == 3) {
    if (prefix.size() < 12) return Corrupt(name + ": .npy header cut short");
    uint64_t size = 12 + static_cast<uint64_t>(LoadLe(prefix, 8, 4));
    if (size > kMaxNpyHeaderSize) return Corrupt(name + ": .npy header claims " + std::to_string(size) + " bytes");
    return size;
  }
  return Corrupt(name + ": unsupported .npy format version " + std::to_string(major));
}

StatusOr<NpyHeader> ParseNpyHeader(std::string_view bytes, const std::string& name) {
  TRAIL_ASSIGN_OR_RETURN(uint64_t total, NpyHeaderSize(bytes, name));
  if (bytes.size() < total) return Corrupt(name + ": .npy header cut short");
  NpyHeader h;
  h.major = static_cast<unsigned char>(bytes[6]);
  h.minor = static_cast<unsigned char>(bytes[7]);
  h.data_offset = total;
  size_t start = h.major == 1 ? 10 : 12;
  h.dict.assign(bytes.substr(start, total - start));
  std::string_view d = h.dict;
  auto bad = [&](const std::string& what) { return Corrupt(name + ": bad .npy header (" + what + ")"); };

  size_t i = 0;
  SkipSpace(d, &i);
  if (i >= d.size() || d[i] != '{') return bad("not a dict");
  ++i;
  bool have_descr = false, have_order = false, have_shape = false;
  while (true) {
    SkipSpace(d, &i);
    if (i >= d.size()) return bad("unterminated dict");
    if (d[i] == '}') break;
    char q = d[i];
    if (q != '\'' && q != '"') return bad("key is not a string");
    size_t close = d.find(q, i + 1);
    if (close == std::string_view::npos) return bad("unterminated key");
    std::string_view key = d.substr(i + 1, close - i - 1);
    i = close + 1;
    SkipSpace(d, &i);
    if (i >= d.size() || d[i] != ':') return bad("missing ':'");
    ++i;
    SkipSpace(d, &i);
    size_t end;
    if (!ScanValue(d, i, &end)) return bad("unterminated value");
    std::string_view value = TrimRight(d.substr(i, end - i));
    // A repeated key would leave two answers (numpy keeps the last, a rewrite edits one):
    // refuse it rather than pick.
    if ((key == "descr" && have_descr) || (key == "fortran_order" && have_order) || (key == "shape" && have_shape))
      return bad("the key " + std::string(key) + " is repeated");
    if (key == "descr") {
      h.descr.assign(value);
      have_descr = true;
    } else if (key == "fortran_order") {
      if (value != "True" && value != "False") return bad("fortran_order is " + std::string(value));
      h.fortran_order = value == "True";
      have_order = true;
    } else if (key == "shape") {
      if (!ParseShape(value, &h.shape)) return bad("shape is " + std::string(value));
      h.shape_begin = i;
      h.shape_end = i + value.size();
      have_shape = true;
    }
    i = end;
    if (d[i] == ',') ++i;
  }
  if (!have_descr || !have_order || !have_shape) return bad("needs descr, fortran_order and shape");
  return h;
}

StatusOr<NpyHeader> ReadNpyHeader(const InputFile& file) {
  std::string prefix;
  if (file.size() < 10)
    return Corrupt(file.path() + ": not a .npy file (only " + std::to_string(file.size()) + " bytes)");
  TRAIL_RETURN_IF_ERROR(file.ReadAt(0, std::min<uint64_t>(kNpyPrefixSize, file.size()), &prefix));
  TRAIL_ASSIGN_OR_RETURN(uint64_t total, NpyHeaderSize(prefix, file.path()));
  if (total > file.size()) return Corrupt(file.path() + ": .npy header runs past the end of the file");
  std::string bytes;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(0, static_cast<size_t>(total), &bytes));
  return ParseNpyHeader(bytes, file.path());
}

uint64_t NpyInstances(const NpyHeader& header) { return header.shape.empty() ? 1 : header.shape[0]; }

std::string RewriteNpyHeader(const NpyHeader& header, uint64_t rows) {
  std::string shape = "(" + std::to_string(rows);
  if (header.shape.size() == 1) shape += ",";
  for (size_t k = 1; k < header.shape.size(); ++k) shape += ", " + std::to_string(header.shape[k]);
  shape += ")";
  std::string dict = header.dict.substr(0, header.shape_begin) + shape + header.dict.substr(header.shape_end);
  while (!dict.empty() && std::isspace(static_cast<unsigned char>(dict.back()))) dict.pop_back();
  size_t prefix = header.major == 1 ? 10 : 12;
  // Pad with spaces so that prefix + dict + '\n' is a multiple of 64, as NumPy does.
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += static_cast<char>(header.major);
  out += static_cast<char>(header.minor);
  uint64_t len = dict.size();
  for (size_t b = 0; b < prefix - 8; ++b) out += static_cast<char>((len >> (8 * b)) & 0xff);
  return out + dict;
}

}  // namespace trail::datafile
