#pragma once
// Hostile YAML texts shared by the input-limit tests (tests/test_*_input_limits.cpp).
#include <string>

namespace dflab::test {

// The classic "billion laughs": nine levels (a to i) of nine aliases each, 10^9 values once
// expanded, in under 1 KiB. Counted as docs/recipe-format.md "Limits" says (an alias counts every
// value it stands for): lines 1 to 5 hold 74,738 values, the key and list of line 6 two more; the
// first *e (line 6, column 8) adds 66,430 (the list on line 5, its 9 aliases of 7,381 each and
// itself) and passes 100,000.
inline std::string billion_laughs() {
    const std::string lol = R"("lol")";
    std::string text = "a: &a [" + lol;
    for (int i = 1; i < 9; ++i) text += "," + lol;
    text += "]\n";
    for (char level = 'b'; level <= 'i'; ++level) {
        const std::string alias = std::string("*") + static_cast<char>(level - 1);
        text += std::string(1, level) + ": &" + level + " [" + alias;
        for (int i = 1; i < 9; ++i) text += "," + alias;
        text += "]\n";
    }
    return text;
}

// `first_line` followed by comment lines up to at least `size` bytes.
inline std::string padded_text(std::string first_line, size_t size) {
    while (first_line.size() < size) first_line += "# " + std::string(77, 'x') + "\n";
    return first_line;
}

}  // namespace dflab::test
