// Browser history databases from a recipe's visits and downloads (images/browser_history.hpp);
// the parser (recipe_browser_history.cpp) has checked every value at its line.
#include "images/browser_history.hpp"
#include "images/content_generator.hpp"

namespace dflab::images::detail {

std::vector<std::byte> generate_chrome_history(const GeneratedContent& g,
                                               const GenerationContext& c) {
    return build_chrome_history(g.browser_history, c);
}

std::vector<std::byte> generate_firefox_places(const GeneratedContent& g,
                                               const GenerationContext& c) {
    return build_firefox_places(g.browser_history, c);
}

}  // namespace dflab::images::detail
