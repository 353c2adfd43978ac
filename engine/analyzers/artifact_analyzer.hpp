#pragma once
// What the artifact analyzers share (Recycle Bin, Zone.Identifier, timestamp mismatch, prefetch,
// Exif, browser history): each writes the one `artifacts` table, adds no column or count of its
// own, and is made when the configuration asks for artifacts; only its name, the content it needs
// and its instance differ.
#include <functional>
#include <memory>
#include <string>

#include "engine/analyzers/registry.hpp"
#include "engine/artifact.hpp"

namespace dflab::engine {

using MakeArtifactInstance = std::function<std::unique_ptr<AnalyzerInstance>(const FileSystem&)>;

// The registration of such an analyzer: `make` gives each worker its instance.
AnalyzerRegistration artifact_analyzer_registration(std::string name, std::string summary,
                                                    ContentNeed need, MakeArtifactInstance make);

// Empty findings located at `entry` (partition, inode, path, allocated).
std::unique_ptr<ArtifactFindings> artifact_findings_at(const Entry& entry);

}  // namespace dflab::engine
