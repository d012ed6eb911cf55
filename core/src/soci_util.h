// Helpers for reading soci::row values the same way on both backends (SQLite reports
// INTEGER columns as int or long long depending on the declared type, PostgreSQL BIGINT as
// long long, and numeric text in some aggregates).
#pragma once
#include <soci/soci.h>

#include <cstdint>
#include <string>

namespace xj {

inline std::int64_t RowInt64(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer: return r.get<int>(i);
    case soci::dt_long_long: return r.get<long long>(i);
    case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<std::int64_t>(r.get<double>(i));
    case soci::dt_string: return std::stoll(r.get<std::string>(i));
    default: return 0;
  }
}

inline std::string RowText(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::string();
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string: return r.get<std::string>(i);
    case soci::dt_integer: return std::to_string(r.get<int>(i));
    case soci::dt_long_long: return std::to_string(r.get<long long>(i));
    default: return r.get<std::string>(i);
  }
}

}  // namespace xj
