// A streaming CSV reader (RFC 4180 plus what Excel exports in China produce):
// header row with column names; UTF-8 with or without BOM, or GB18030; LF or CRLF;
// quoted fields containing commas, doubled quotes and newlines.
//
// Memory is bounded: the reader keeps one buffer and one record; a record longer than
// `max_record_bytes` is an error, not an allocation. Not thread-safe (one reader, one thread).
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/status.h"

namespace xj {

enum class Encoding { kAuto, kUtf8, kGb18030 };

// Parses "utf-8"/"utf8", "gb18030", "auto" (case-insensitive).
Result<Encoding> ParseEncoding(std::string_view name);

struct CsvOptions {
  Encoding encoding = Encoding::kAuto;  // kAuto: BOM or valid UTF-8 => UTF-8, else GB18030
  std::size_t max_record_bytes = 1 << 20;  // 1 MiB
  std::size_t max_fields = 256;
};

class CsvReader {
 public:
  // Opens `path` ("-" is not supported). Returns kUnavailable if it cannot be read.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, const CsvOptions& options);
  // Reads from an in-memory buffer (tests, fuzzing). The buffer is copied.
  static std::unique_ptr<CsvReader> FromString(std::string data, const CsvOptions& options);
  ~CsvReader();

  // Reads the next record into *fields (UTF-8, fields as written, unquoted). Returns
  // true with a record, false at end of input, or a non-OK status for a malformed record
  // (unterminated quote, a quote inside an unquoted field, invalid encoding, too long).
  // After an error the reader resynchronises at the next line so that the caller may
  // report the row and continue; Status messages name the line.
  Result<bool> Next(std::vector<std::string>* fields);

  // 1-based physical line number where the last returned record started.
  std::uint64_t record_line() const;
  // Bytes of input consumed so far and total size (0 if unknown), for progress bars.
  std::uint64_t bytes_read() const;
  std::uint64_t total_bytes() const;
  // The encoding in use (resolved once the first bytes were seen when kAuto).
  Encoding encoding() const;

 private:
  struct Impl;
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes one CSV record (RFC 4180 quoting when needed) terminated by "\n".
// When `neutralise_formulas` is true, a field starting with = + - @ is prefixed with ' so
// that a spreadsheet does not execute it (rejects files are opened in Excel).
void AppendCsvRecord(std::string* out, const std::vector<std::string>& fields, bool neutralise_formulas = false);

}  // namespace xj
