// Identifiers of the domain (docs/domain.md, "Identifiers"): USCC (GB 32100-2015), resident ID
// number (GB 11643, ISO 7064 MOD 11-2), GB/T 4754 industry codes. Pure functions, thread-safe.
#pragma once
#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj::ids {

// The USCC alphabet: 0-9 and A-Z without I, O, Z, S, V (31 characters).
inline constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Validates an 18-character USCC: length, alphabet of every position, check character.
// The error message says which rule failed (length / position N character C / check
// character expected X got Y), in Chinese and English.
Status ValidateUscc(std::string_view uscc);
// The check character for the first 17 characters (which must be in the alphabet).
char UsccCheckChar(std::string_view first17);

// Validates an 18-character resident identity number (17 digits + digit or X, valid
// birth date, ISO 7064 MOD 11-2 check). Lower-case x is rejected (callers upper-case first
// if they want leniency).
Status ValidateResidentId(std::string_view id);
// The check character for the first 17 digits.
char ResidentIdCheckChar(std::string_view first17);
// Masks an ID number for display: first 6 and last 4 kept, the rest '*'
// ("330225********123X"). Any other length: all but the last 2 characters masked.
std::string MaskResidentId(std::string_view id);

// GB/T 4754 industry code: a section letter A-T alone, or a letter followed by 2, 3 or 4
// digits (e.g. "C", "C13", "C131", "C1311").
Status ValidateIndustry(std::string_view code);

}  // namespace xj::ids
