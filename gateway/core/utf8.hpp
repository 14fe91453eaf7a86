#pragma once
// UTF-8 in one place, on ICU's macros (U8_NEXT, U8_APPEND_UNSAFE): validation, lengths as
// channels and limits count them, and stepping through code points. Pure.
#include <cstddef>
#include <string>
#include <string_view>

namespace madoguchi::utf8 {

// Well-formed UTF-8: no overlong forms, surrogates or values beyond U+10FFFF.
bool valid(std::string_view text);
// Code points (the console's and the outbox's length limits). Each ill-formed byte
// sequence counts as one.
std::size_t code_points(std::string_view text);
// UTF-16 code units (LINE counts text length that way): a code point above U+FFFF is 2.
std::size_t utf16_units(std::string_view text);

// The code point at byte offset `i`, advancing `i` past it; -1 for an ill-formed sequence
// (then `i` advances past the bytes that were examined, at least one). Requires i < size.
int next(std::string_view text, std::size_t& i);
// Appends code point `c` (0..0x10FFFF, not a surrogate) as UTF-8.
void append(std::string& out, int c);
// Bytes of the code point that starts at `i` (1 for an ill-formed byte).
std::size_t sequence_length(std::string_view text, std::size_t i);
// The offset where the code point that byte `i` belongs to starts, as `next` would read it:
// `i` itself unless it continues a sequence begun at most 3 bytes earlier (so a run of stray
// continuation bytes is never walked back over). For cutting text at character boundaries;
// i <= size, and i == size is returned as is.
std::size_t sequence_start(std::string_view text, std::size_t i);

}  // namespace madoguchi::utf8
