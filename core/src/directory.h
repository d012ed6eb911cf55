// The directories (一单两库): departments, subjects, inspectors, the item list, and declared
// relations between inspectors and subjects. This file describes each kind's columns and
// validates one input record into the stored form; importer.h moves files into the tables.
// Thread-safe (pure functions over immutable tables).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bulk.h"
#include "clock.h"
#include "xinjian/directory.h"
#include "xinjian/status.h"

namespace xj {

enum class DirectoryKind { kDepartments, kSubjects, kInspectors, kItems, kRelations };

// "departments", "subjects", "inspectors", "items", "relations".
Result<DirectoryKind> ParseDirectoryKind(std::string_view name);
const char* KindName(DirectoryKind kind);      // plural, as on the command line
const char* EntityName(DirectoryKind kind);    // singular, as in the audit log: "subject"

struct ColumnSpec {
  const char* name;       // input column name
  const char* db_column;  // stored column name
  bool required;          // the input must have the column and a non-empty value
};

struct KindSpec {
  DirectoryKind kind;
  const char* table;
  std::vector<ColumnSpec> columns;     // in input/storage order
  std::vector<std::size_t> key;        // indices of the natural key columns
};
const KindSpec& SpecOf(DirectoryKind kind);

// One problem of a record: the column and the bilingual reason.
struct FieldError {
  std::string column;
  std::string value;    // as given (masked for id numbers)
  std::string zh;
  std::string en;
};

// Validates and normalises one record (`values[i]` is the input of column i, nullopt when
// the input has no such column). On success `out` holds the stored values in column order
// (nullopt for SQL NULL). Returns every problem found. `today` is YYYY-MM-DD.
std::vector<FieldError> ValidateRecord(DirectoryKind kind, const std::vector<std::optional<std::string>>& values,
                                       const std::string& today, Row* out);

// Rules between columns checked again on a record merged with stored values (a column the
// record did not carry keeps the stored one): an item's ratio_min <= ratio_max, and a
// general item has a ratio_max. `row` is normalised as ValidateRecord writes it.
std::vector<FieldError> CheckRecordConsistency(DirectoryKind kind, const Row& row);

// The canonical form of a stored row (kind, then each value escaped, '\t'-separated,
// NULL as \N) and its SHA-256 digest in hex: what the audit log chains and imports compare.
std::string CanonicalRow(DirectoryKind kind, const Row& row);
std::string RowDigest(DirectoryKind kind, const Row& row);
// The natural key of a stored row: key values joined by '\t'.
std::string RowKey(DirectoryKind kind, const Row& row);

// PercentToPpm: xinjian/directory.h (the draw parses the same percentages).

// TodayShanghai(): clock.h.

}  // namespace xj
