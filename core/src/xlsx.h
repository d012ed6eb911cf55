// The host's Excel writer behind Platform::WriteXlsx (xinjian/platform.h, opendata.h):
// libxlsxwriter in constant-memory mode, to a temporary file read back into memory.
//
// Thread safety: each call uses its own workbook and files; safe from any thread.
#pragma once

#include <string>

#include "xinjian/opendata.h"
#include "xinjian/status.h"

namespace xj {

// See Platform::WriteXlsx for the contract.
Result<std::string> WriteXlsxWorkbook(const opendata::Table& table, const opendata::XlsxOptions& options);

}  // namespace xj
