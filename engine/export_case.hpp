#pragma once
// CASE/UCO JSON-LD export of a case (docs/export-formats.md): the tool, the image with its stored
// hashes, each partition and file system, each file with its FileFacet and ContentDataFacet
// (hashes), Contained_Within relationships, and the analysis as an InvestigativeAction whose
// result is a ProvenanceRecord naming every file.
#include <ostream>

#include "engine/case_reader.hpp"

namespace dflab::engine {

// Writes the case as one JSON-LD document (@context, @graph) to `out`, one graph node per line.
// Throws Error when the case cannot be read.
void export_case(CaseReader& reader, std::ostream& out);

}  // namespace dflab::engine
