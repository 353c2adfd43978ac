// Windows shell link (images/shell_link.hpp). The parser has checked every field at its line;
// what is left is the target's times that were not given (the action's).
#include "images/content_generator.hpp"
#include "images/shell_link.hpp"

namespace dflab::images::detail {

std::vector<std::byte> generate_lnk(const GeneratedContent& g, const GenerationContext& c) {
    const ShellLinkContent& link = g.shell_link;
    ShellLinkSpec spec = link.spec;
    if (!link.has_created) spec.created = c.time;
    if (!link.has_accessed) spec.accessed = c.time;
    if (!link.has_modified) spec.modified = c.time;
    return build_shell_link(spec);  // its errors name the field ("shell link: ...")
}

}  // namespace dflab::images::detail
