// Windows registry hive from keys and values (images/registry_hive.hpp). The parser has checked
// the keys and values at their lines; what is left is the time of keys without one of their own
// (the action's) and the base block's (the action's too).
#include "images/content_generator.hpp"
#include "images/registry_hive.hpp"

namespace dflab::images::detail {

std::vector<std::byte> generate_registry(const GeneratedContent& g, const GenerationContext& c) {
    HiveSpec spec;
    spec.root_name = option_string(g, "root", "ROOT");
    spec.file_name = option_string(g, "file_name");
    spec.written = c.time;
    spec.keys.reserve(g.registry_keys.size());
    for (const RegistryKeyContent& k : g.registry_keys) {
        spec.keys.push_back(k.key);
        if (!k.has_time) spec.keys.back().last_write = c.time;
    }
    return build_hive(spec);  // its errors name the key or value ("registry hive: key '...'")
}

}  // namespace dflab::images::detail
