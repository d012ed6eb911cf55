// Reading tables from files: the host's CSV reader for plugins (host API 7), and a
// header-only CSV writer (xj::csv::AppendCsvRecord) for the files a plugin writes back
// (rejects files).
//
// A plugin that imports a file a person exported from another system (a spreadsheet, an
// older platform) should not write its own CSV parser: Chinese exports come in UTF-8 with or
// without a byte-order mark, or in GB18030; fields are quoted with commas, doubled quotes and
// line breaks inside; files are large. The host's reader, the one `xinjian import` uses,
// handles all of that in bounded memory. A plugin opens it through the platform:
//
//   xj::TableReaderOptions o;
//   o.max_record_bytes = 64 * 1024;
//   xj::Result<std::unique_ptr<xj::TableReader>> reader = platform.OpenTable(path, o);
//   if (!reader.ok()) return reader.status();
//   std::vector<std::string> fields;
//   while (true) {
//     xj::Result<bool> next = reader.value()->Next(&fields);
//     if (!next.ok()) { Reject(reader.value()->record_line(), next.status()); continue; }
//     if (!next.value()) break;  // the end
//     ...                        // fields: one record, UTF-8
//   }
//
// Thread safety: a TableReader belongs to the thread that opened it. csv::AppendCsvRecord is a
// pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xinjian/status.h"

namespace xj {

// What Platform::OpenTable reads and what it refuses.
struct TableReaderOptions {
  // A record (one row, possibly over several lines) longer than this is refused as an error
  // of that record, never allocated: reading goes on with the next line.
  std::size_t max_record_bytes = 1 << 20;
  // A record with more fields is refused the same way.
  std::size_t max_fields = 256;
  // A file larger than this is refused when it is opened (kInvalidArgument naming the file
  // and the bound); 0 for no bound.
  std::uint64_t max_file_bytes = 0;
  // "auto" (a byte-order mark or valid UTF-8 means UTF-8, anything else GB18030), "utf-8" or
  // "gb18030". Another name is kInvalidArgument at OpenTable.
  std::string encoding = "auto";
};

// A CSV file read record by record (RFC 4180, plus what Excel exports in China produce: UTF-8
// with or without a byte-order mark, or GB18030; LF or CRLF line ends; quoted fields with
// commas, doubled quotes and line breaks). Memory stays bounded whatever the file: one buffer
// and one record. Implemented by the host (Platform::OpenTable); owned by the caller.
class TableReader {
 public:
  virtual ~TableReader() = default;
  // Reads the next record into *fields (UTF-8, unquoted, as written; a byte-order mark at the
  // start of the file is not part of the first field). Returns true with a record, false at
  // the end of the file, or a non-OK status for a malformed record (an unterminated quote, a
  // quote inside an unquoted field, bytes that are not of the encoding, a record longer than
  // max_record_bytes or with more than max_fields fields): kInvalidArgument, bilingual,
  // naming the line. After such an error the reader has moved past the bad record, so the
  // caller may report it (record_line) and go on reading. Empty lines are skipped.
  virtual Result<bool> Next(std::vector<std::string>* fields) = 0;
  // The 1-based line of the file where the record last read (or refused) began.
  virtual std::uint64_t record_line() const = 0;
  // "utf-8" or "gb18030": what the file was read as (resolved on the first bytes for "auto").
  virtual std::string encoding() const = 0;
};

namespace csv {

// Appends one CSV record to *out, ended by "\n", quoted as RFC 4180 asks when a field holds
// a comma, a quote or a line break (a record of one empty field is quoted too, so that it is
// not an empty line a reader skips). With `neutralise_formulas`, a field beginning with = + -
// @, a tab or a carriage return gets a leading ' so that a spreadsheet shows it instead of
// running it (files of rejected rows are opened in Excel). The same bytes as the host's
// writer of `xinjian import` rejects files.
inline void AppendCsvRecord(std::string* out, const std::vector<std::string>& fields,
                            bool neutralise_formulas = false) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(',');
    const std::string& f = fields[i];
    const bool neutralise = neutralise_formulas && !f.empty() &&
                            (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@' || f[0] == '\t' || f[0] == '\r');
    const bool quote = f.find_first_of(",\"\r\n") != std::string::npos || (fields.size() == 1 && f.empty());
    if (!quote && !neutralise) {
      out->append(f);
      continue;
    }
    if (quote) out->push_back('"');
    if (neutralise) out->push_back('\'');
    for (char c : f) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    if (quote) out->push_back('"');
  }
  out->push_back('\n');
}

}  // namespace csv
}  // namespace xj
