#include "images/recipe_reader.hpp"

#include "images/recipe_variables.hpp"

namespace dflab::images::recipe_detail {

std::string Context::expand(const Field& f, const std::string& raw) const {
    return recipe_detail::substitute(*this, f, raw);  // the member `substitute` is the switch
}

}  // namespace dflab::images::recipe_detail
