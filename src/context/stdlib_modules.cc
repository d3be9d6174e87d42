#include "context/stdlib_modules.h"

#include <algorithm>
#include <string_view>

#include "base/files.h"

namespace trail::context {
namespace {

// sys.stdlib_module_names of CPython 3.11, plus the modules 3.12-3.14 added
// (annotationlib, compression, ...), those removed before 3.10 (binhex,
// formatter, parser, ...), and Python 2 names that programs still try first
// in `try: import cPickle except ImportError: import pickle` fallbacks, and
// __main__, which the interpreter itself provides.
// Sorted: searched by binary search.
// A packed list reads better than one name a line.
// clang-format off
constexpr std::string_view kStdlibModules[] = {
    "BaseHTTPServer", "CGIHTTPServer", "ConfigParser", "HTMLParser", "Queue", "SimpleHTTPServer", "SocketServer",
    "StringIO", "Tkinter", "UserDict", "UserList", "UserString", "__builtin__", "__future__", "__main__", "_abc",
    "_aix_support", "_ast", "_asyncio", "_bisect", "_blake2", "_bootlocale", "_bootsubprocess", "_bz2", "_codecs",
    "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_collections",
    "_collections_abc", "_colorize", "_compat_pickle", "_compression", "_contextvars", "_crypt", "_csv", "_ctypes",
    "_curses", "_curses_panel", "_datetime", "_dbm", "_decimal", "_dummy_thread", "_elementtree", "_frozen_importlib",
    "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib", "_heapq", "_imp", "_interpchannels",
    "_interpqueues", "_interpreters", "_io", "_json", "_locale", "_lsprof", "_lzma", "_markupbase", "_md5", "_msi",
    "_multibytecodec", "_multiprocessing", "_opcode", "_opcode_metadata", "_operator", "_osx_support", "_overlapped",
    "_pickle", "_posixshmem", "_posixsubprocess", "_py_abc", "_pydatetime", "_pydecimal", "_pyio", "_pylong",
    "_pyrepl", "_queue", "_random", "_scproxy", "_sha1", "_sha256", "_sha3", "_sha512", "_signal", "_sitebuiltins",
    "_socket", "_sqlite3", "_sre", "_ssl", "_stat", "_statistics", "_string", "_strptime", "_struct", "_suggestions",
    "_symtable", "_sysconfig", "_thread", "_threading_local", "_tkinter", "_tokenize", "_tracemalloc", "_typing",
    "_uuid", "_warnings", "_weakref", "_weakrefset", "_winapi", "_wmi", "_zoneinfo", "abc", "aifc", "annotationlib",
    "antigravity", "anydbm", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit", "audioop",
    "base64", "bdb", "binascii", "binhex", "bisect", "builtins", "bz2", "cPickle", "cProfile", "cStringIO",
    "calendar", "cgi", "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys",
    "commands", "compileall", "compression", "concurrent", "configparser", "contextlib", "contextvars", "cookielib",
    "copy", "copy_reg", "copyreg", "crypt", "csv", "ctypes", "curses", "dataclasses", "datetime", "dbhash", "dbm",
    "decimal", "difflib", "dis", "distutils", "doctest", "dummy_threading", "email", "encodings", "ensurepip", "enum",
    "errno", "exceptions", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "formatter", "fractions",
    "ftplib", "functools", "future_builtins", "gc", "genericpath", "getopt", "getpass", "gettext", "glob", "graphlib",
    "grp", "gzip", "hashlib", "heapq", "hmac", "html", "htmlentitydefs", "http", "httplib", "idlelib", "imaplib",
    "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword", "lib2to3",
    "linecache", "locale", "logging", "lzma", "macpath", "mailbox", "mailcap", "marshal", "math", "md5", "mimetypes",
    "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "new", "nis", "nntplib", "nt", "ntpath",
    "nturl2path", "numbers", "opcode", "operator", "optparse", "os", "ossaudiodev", "parser", "pathlib", "pdb",
    "pickle", "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix", "posixpath", "pprint",
    "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri",
    "random", "re", "readline", "repr", "reprlib", "resource", "rlcompleter", "robotparser", "runpy", "sched",
    "secrets", "select", "selectors", "sets", "sha", "shelve", "shlex", "shutil", "signal", "site", "smtpd",
    "smtplib", "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse",
    "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau", "symbol", "symtable", "sys",
    "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "textwrap", "this", "thread",
    "threading", "time", "timeit", "tkMessageBox", "tkinter", "token", "tokenize", "tomllib", "trace", "traceback",
    "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest", "urllib", "urllib2",
    "urlparse", "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound", "wsgiref",
    "xdrlib", "xml", "xmlrpc", "xmlrpclib", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo",
};
// clang-format on

}  // namespace

bool IsStdlibModule(std::string_view top_level) {
  return std::binary_search(std::begin(kStdlibModules), std::end(kStdlibModules), top_level);
}

std::set<std::string> StdlibFolderModules(const std::string& stdlib_dir) {
  std::set<std::string> out;
  if (stdlib_dir.empty()) return out;
  auto add = [&](const std::string& dir) {
    for (const std::string& name : ListDirectory(dir)) {
      std::string module;
      if (name.size() > 3 && name.compare(name.size() - 3, 3, ".py") == 0) {
        module = name.substr(0, name.size() - 3);
      } else if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0) {
        module = name.substr(0, name.find('.'));  // _ssl.cpython-311-x86_64-linux-gnu.so
      } else if (name.find('.') == std::string::npos && name != "site-packages" && name != "dist-packages" &&
                 name != "lib-dynload" && name != "__pycache__" && name != "test" && name != "tests" &&
                 IsDirectory(JoinPath(dir, name))) {
        module = name;
      }
      if (!module.empty()) out.insert(module);
    }
  };
  add(stdlib_dir);
  add(JoinPath(stdlib_dir, "lib-dynload"));
  return out;
}

}  // namespace trail::context
