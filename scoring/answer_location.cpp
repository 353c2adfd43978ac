// location: a place on Earth as latitude and longitude, as a photo's GPS Exif or a phone's
// location history gives it. Written as decimal degrees ("43.238293, 76.945465", "43,238293;
// 76,945465", "-33.86 151.21"), degrees and minutes ("43°14.298' N 76°56.728' E") or degrees,
// minutes and seconds (43°14'17.9"N 76°56'43.7"E, exiftool's "43 deg 14' 17.85\" N"), with
// hemisphere letters before or after (N S E W; Russian с.ш. ю.ш. в.д. з.д.; Kazakh с.е. о.е. ш.б.
// б.б.), and inside a map link (geo:43.2,76.9, ...?q=43.2,76.9, .../@43.2,76.9,17z). Right when
// it lies within options.tolerance_metres (default 30 m) of the key's place, on a sphere.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

constexpr double kDefaultTolerance = 30;    // metres: a few seconds of arc, a phone's GPS error
constexpr double kEarthRadius = 6371008.8;  // metres, the mean radius (IUGG)
constexpr double kPi = 3.14159265358979323846;

struct Place {
    double latitude = 0, longitude = 0;
};

// One piece of the written answer.
struct Token {
    enum Kind { Number, Degrees, Minutes, Seconds, North, South, East, West, Separator } kind;
    double value = 0;
    bool fraction = false;  // the number had a decimal part
};

bool digit(char c) {
    return c >= '0' && c <= '9';
}

// Replaces every `from` in `s` by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// What a map link or geo: URI holds after its marker: "q=43.2,76.9&z=3" -> "43.2,76.9".
std::string inside_link(std::string text) {
    for (std::string_view marker : {"geo:", "?q=", "&q=", "?ll=", "&ll=", "query=", "/@"}) {
        size_t at = text.find(marker);
        if (at == std::string::npos) continue;
        text = text.substr(at + marker.size());
        size_t end = text.find_first_of("&?/");
        if (end != std::string::npos) text = text.substr(0, end);
        // A zoom or accuracy after the pair ("43.2,76.9,17z", "43.2,76.9;u=35") is dropped.
        size_t first = text.find(',');
        size_t second = first == std::string::npos ? first : text.find(',', first + 1);
        if (second != std::string::npos) text = text.substr(0, second);
        if (size_t semi = text.find(';'); semi != std::string::npos) text = text.substr(0, semi);
        return text;
    }
    return text;
}

// The words that name a hemisphere, after case folding (Latin, Russian, Kazakh), and the words
// that may stand beside the numbers without meaning anything ("lat", "широта").
struct Word {
    std::string_view text;
    std::optional<Token::Kind> kind;  // nullopt: ignored
};
const std::array<Word, 38> kWords{{
    {"d", Token::Degrees},        {"n", Token::North},
    {"s", Token::South},          {"e", Token::East},
    {"w", Token::West},           {"north", Token::North},
    {"south", Token::South},      {"east", Token::East},
    {"west", Token::West},        {"с.ш.", Token::North},
    {"ю.ш.", Token::South},       {"в.д.", Token::East},
    {"з.д.", Token::West},        {"с", Token::North},
    {"ю", Token::South},          {"в", Token::East},
    {"з", Token::West},           {"с.е.", Token::North},
    {"о.е.", Token::South},       {"ш.б.", Token::East},
    {"б.б.", Token::West},        {"о", Token::South},
    {"ш", Token::East},           {"б", Token::West},
    {"lat", std::nullopt},        {"lon", std::nullopt},
    {"lng", std::nullopt},        {"long", std::nullopt},
    {"latitude", std::nullopt},   {"longitude", std::nullopt},
    {"широта", std::nullopt},     {"долгота", std::nullopt},
    {"ендік", std::nullopt},      {"бойлық", std::nullopt},
    {"gps", std::nullopt},        {"coordinates", std::nullopt},
    {"координаты", std::nullopt}, {"координаттар", std::nullopt},
}};

bool word_char(unsigned char c) {
    return c >= 0x80 || (c >= 'a' && c <= 'z') || c == '.';
}

// The answer as tokens; nullopt when it holds something that is not part of a place.
std::optional<std::vector<Token>> tokens_of(std::string text) {
    text = inside_link(fold_case(trim_and_fold_spaces(text)));
    for (std::string_view d : {"°", "º", "˚"}) replace_all(text, d, " ° ");
    for (std::string_view m : {"′", "’", "‘"}) replace_all(text, m, "'");
    for (std::string_view s : {"″", "”", "“", "''"}) replace_all(text, s, "\"");
    for (std::string_view d : {"degrees", "degree", "deg", "градусов", "градуса", "градус", "град"})
        replace_all(text, d, " ° ");
    // A comma between digits is a decimal comma when no point is ("43,2383; 76,9454",
    // "43,2383 76,9454"), else it separates the two numbers ("43.2,76.9").
    bool point = false;
    int digit_commas = 0;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
        if (!digit(text[i - 1]) || !digit(text[i + 1])) continue;
        if (text[i] == '.') point = true;
        if (text[i] == ',') ++digit_commas;
    }
    const bool decimal_comma = !point && (text.find(';') != std::string::npos || digit_commas >= 2);
    std::vector<Token> out;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == ':') {  // "lat: 43.2"
            ++i;
        } else if (digit(c) ||
                   ((c == '-' || c == '+') && i + 1 < text.size() && digit(text[i + 1]))) {
            std::string number(1, c);
            bool fraction = false;
            for (++i; i < text.size(); ++i) {
                const char d = text[i];
                const bool mark = d == '.' || (decimal_comma && d == ',');
                if (digit(d)) {
                    number += d;
                } else if (mark && !fraction && i + 1 < text.size() && digit(text[i + 1])) {
                    number += '.';
                    fraction = true;
                } else {
                    break;
                }
            }
            if (number.size() > 24) return std::nullopt;
            out.push_back({Token::Number, std::strtod(number.c_str(), nullptr), fraction});
        } else if (c == ',' || c == ';' || c == '/') {
            out.push_back({Token::Separator});
            ++i;
        } else if (text.compare(i, 2, "°") == 0) {
            out.push_back({Token::Degrees});
            i += 2;
        } else if (c == '\'') {
            out.push_back({Token::Minutes});
            ++i;
        } else if (c == '"') {
            out.push_back({Token::Seconds});
            ++i;
        } else if (word_char(static_cast<unsigned char>(c))) {
            size_t end = i;
            while (end < text.size() && word_char(static_cast<unsigned char>(text[end]))) ++end;
            const std::string_view word(text.data() + i, end - i);
            const Word* found = nullptr;
            for (const auto& w : kWords)
                if (w.text == word) found = &w;
            if (!found) return std::nullopt;
            if (found->kind) out.push_back({*found->kind});
            i = end;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

bool is_hemisphere(const Token& t) {
    return t.kind == Token::North || t.kind == Token::South || t.kind == Token::East ||
           t.kind == Token::West;
}

struct Coordinate {
    double degrees = 0;
    std::optional<Token::Kind> hemisphere;
};

// One coordinate: [hemisphere] D[°] [M['] [S["]]] [hemisphere]. Minutes and seconds below 60,
// whole degrees and minutes before a further part, one hemisphere at most.
std::optional<Coordinate> coordinate_of(const std::vector<Token>& t) {
    Coordinate c;
    std::vector<Token> numbers;  // with their unit as kind of the following marker
    std::vector<Token::Kind> units;
    for (size_t i = 0; i < t.size(); ++i) {
        if (is_hemisphere(t[i])) {
            if (c.hemisphere) return std::nullopt;
            c.hemisphere = t[i].kind;
        } else if (t[i].kind == Token::Number) {
            numbers.push_back(t[i]);
            Token::Kind unit = Token::Number;  // none given
            if (i + 1 < t.size() &&
                (t[i + 1].kind == Token::Degrees || t[i + 1].kind == Token::Minutes ||
                 t[i + 1].kind == Token::Seconds))
                unit = t[++i].kind;
            units.push_back(unit);
        } else {
            return std::nullopt;
        }
    }
    if (numbers.empty() || numbers.size() > 3) return std::nullopt;
    static constexpr Token::Kind order[] = {Token::Degrees, Token::Minutes, Token::Seconds};
    double value = 0, scale = 1;
    for (size_t k = 0; k < numbers.size(); ++k) {
        if (units[k] != Token::Number && units[k] != order[k]) return std::nullopt;
        const double n = numbers[k].value;
        if (k > 0 && (n < 0 || n >= 60)) return std::nullopt;
        if (k + 1 < numbers.size() && numbers[k].fraction) return std::nullopt;
        value += (k == 0 ? std::fabs(n) : n) / scale;
        scale *= 60;
    }
    const bool negative = std::signbit(numbers.front().value);  // "-0°30'" too
    c.degrees = negative ? -value : value;
    if (c.hemisphere && negative) return std::nullopt;  // "-43 S"
    if (c.hemisphere == Token::South || c.hemisphere == Token::West) c.degrees = -c.degrees;
    return c;
}

// Where the first coordinate ends: at a separator, after a trailing hemisphere, before a leading
// one of the second, before the second number marked as degrees, or between two bare numbers.
std::optional<size_t> split_point(const std::vector<Token>& t) {
    std::vector<size_t> separators;
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i].kind == Token::Separator) separators.push_back(i);
    if (separators.size() > 1) return std::nullopt;
    if (separators.size() == 1) return separators.front();
    std::vector<size_t> hemispheres, degrees, numbers;
    for (size_t i = 0; i < t.size(); ++i) {
        if (is_hemisphere(t[i])) hemispheres.push_back(i);
        if (t[i].kind == Token::Degrees && i > 0) degrees.push_back(i - 1);
        if (t[i].kind == Token::Number) numbers.push_back(i);
    }
    if (hemispheres.size() == 1 || hemispheres.size() > 2) return std::nullopt;  // "1e5"
    if (hemispheres.size() == 2) {
        // Suffixes ("43.2 N 76.9 E"): after the first; prefixes ("N 43.2 E 76.9"): before the
        // second.
        return hemispheres.front() == 0 ? hemispheres.back() : hemispheres.front() + 1;
    }
    if (degrees.size() == 2) return degrees.back();
    if (numbers.size() == 2) return numbers.back();
    return std::nullopt;
}

std::optional<Place> parse_place(std::string_view text) {
    auto tokens = tokens_of(std::string(text));
    if (!tokens || tokens->empty()) return std::nullopt;
    auto at = split_point(*tokens);
    if (!at || *at == 0 || *at >= tokens->size()) return std::nullopt;
    const bool separator = (*tokens)[*at].kind == Token::Separator;
    std::vector<Token> first(tokens->begin(), tokens->begin() + static_cast<ptrdiff_t>(*at));
    std::vector<Token> second(tokens->begin() + static_cast<ptrdiff_t>(*at + (separator ? 1 : 0)),
                              tokens->end());
    auto a = coordinate_of(first), b = coordinate_of(second);
    if (!a || !b) return std::nullopt;
    auto is_longitude = [](const Coordinate& c) {
        return c.hemisphere == Token::East || c.hemisphere == Token::West;
    };
    auto is_latitude = [](const Coordinate& c) {
        return c.hemisphere == Token::North || c.hemisphere == Token::South;
    };
    if ((is_longitude(*a) && is_longitude(*b)) || (is_latitude(*a) && is_latitude(*b)))
        return std::nullopt;
    if (is_longitude(*a) || is_latitude(*b)) std::swap(a, b);  // "76.9 E 43.2 N"
    Place p{a->degrees, b->degrees};
    if (!(std::fabs(p.latitude) <= 90) || !(std::fabs(p.longitude) <= 180)) return std::nullopt;
    return p;
}

std::string canonical(const Place& p) {
    char out[64];
    std::snprintf(out, sizeof out, "%.6f, %.6f", p.latitude, p.longitude);
    return out;
}

// The great-circle distance in metres (haversine).
double metres_between(const Place& a, const Place& b) {
    auto radians = [](double d) { return d * kPi / 180; };
    const double dlat = radians(b.latitude - a.latitude);
    const double dlon = radians(b.longitude - a.longitude);
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(radians(a.latitude)) * std::cos(radians(b.latitude)) *
                         std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
}

double tolerance(const nlohmann::json& options) {
    auto it = options.find("tolerance_metres");
    return it != options.end() && it->is_number() && it->get<double>() > 0 ? it->get<double>()
                                                                           : kDefaultTolerance;
}

Normalised normalise(const nlohmann::json& submitted, const Context&) {
    if (!submitted.is_string()) return {false, "", Message::of("grade.location.expected_example")};
    auto place = parse_place(submitted.get<std::string>());
    if (!place) return {false, "", Message::of("grade.location.expected_example")};
    return {true, canonical(*place), {}};
}

std::optional<Place> key_place(const nlohmann::json& expected) {
    if (expected.is_string()) return parse_place(expected.get<std::string>());
    return std::nullopt;
}

Comparison compare(const Normalised& submitted, const nlohmann::json& expected,
                   const Context& ctx) {
    auto have = parse_place(submitted.value);
    auto want = key_place(expected);
    if (!have || !want) return {0, {}};
    return {metres_between(*have, *want) <= tolerance(ctx.options) ? 1.0 : 0.0, {}};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json& options) {
    if (auto it = options.find("tolerance_metres");
        it != options.end() && !(it->is_number() && it->get<double>() > 0))
        return "options.tolerance_metres must be a positive number of metres";
    if (!key_place(answer))
        return "a location answer must be latitude and longitude, e.g. \"43.238293, 76.945465\"";
    return "";
}

}  // namespace

const AnswerType location_answer{"location", normalise, compare, check_key};

}  // namespace dflab::scoring
