#pragma once
// DFXML export of a case (docs/export-formats.md): the document fiwalk -X writes (dfxml root with
// metadata and creator, source, one volume per analysed file system, a fileobject per files row
// with its times, hashes and byte runs), written with libxml2's xmlTextWriter.
#include <ostream>
#include <string>
#include <string_view>

#include "engine/case_reader.hpp"

namespace dflab::engine {

// Writes the case as DFXML to `out`; `command_line` is recorded in <creator>. Throws Error when
// the case cannot be read.
void export_dfxml(CaseReader& reader, std::ostream& out, const std::string& command_line);

// Text that XML 1.0 can carry: each byte of invalid UTF-8, of a control character other than
// tab, line feed and carriage return, or of U+FFFE/U+FFFF becomes "\xNN" (as fiwalk escapes).
std::string xml_safe_text(std::string_view text);

}  // namespace dflab::engine
