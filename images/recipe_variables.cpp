#include "images/recipe_variables.hpp"

#include <openssl/sha.h>

#include <array>
#include <bit>
#include <cstdio>
#include <vector>

#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images {

namespace {

// The finalizer of splitmix64; also the round function of the Feistel network below.
uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

// splitmix64: Steele, Lea, Flood, "Fast splittable pseudorandom number generators" (2014), as in
// Vigna's reference splitmix64.c.
uint64_t SplitMix64::next() {
    return mix64(state_ += 0x9e3779b97f4a7c15ULL);
}

uint64_t SplitMix64::below(uint64_t bound) {
    // Values under 2^64 mod bound are rejected so that every residue is equally likely.
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r = next();
        if (r >= threshold) return r % bound;
    }
}

namespace recipe_detail {

namespace {

const std::map<std::string, std::vector<std::string>>& builtin_names() {
    static const std::map<std::string, std::vector<std::string>> names = {
        {"english",
         {"James Carter", "Emily Watson", "Daniel Hughes", "Sophie Turner", "Michael Brooks",
          "Olivia Bennett", "Thomas Reed", "Hannah Collins", "George Mitchell", "Grace Parker",
          "William Foster", "Charlotte Hayes"}},
        {"russian",
         {"Иван Петров", "Анна Смирнова", "Дмитрий Соколов", "Екатерина Иванова",
          "Алексей Кузнецов", "Ольга Попова", "Сергей Волков", "Мария Лебедева", "Николай Морозов",
          "Татьяна Козлова", "Андрей Новиков", "Елена Фёдорова"}},
        {"kazakh",
         {"Айгерим Сапарова", "Нурлан Абенов", "Дана Жумабаева", "Ерлан Касымов",
          "Асель Нургалиева", "Данияр Ахметов", "Жанар Омарова", "Арман Сейтказиев",
          "Гульнара Бекова", "Бауыржан Тулегенов", "Меруерт Исаева", "Самат Калиев"}},
    };
    return names;
}

// A seeded permutation of [0, n) (n == 0 stands for 2^64): a 6-round balanced Feistel network on
// the smallest even number of bits that covers n, walked until it lands inside the range.
uint64_t permute(uint64_t n, uint64_t position, SplitMix64& rng) {
    if (n == 1) return 0;
    int bits = n == 0 ? 64 : std::bit_width(n - 1);
    int half = (bits + 1) / 2;
    std::array<uint64_t, 6> keys;
    for (auto& k : keys) k = rng.next();
    uint64_t mask = half >= 32 ? 0xffffffffULL : ((1ULL << half) - 1);
    auto feistel = [&](uint64_t x) {
        uint64_t left = x >> half, right = x & mask;
        for (uint64_t k : keys) {
            uint64_t next = left ^ (mix64(right ^ k) & mask);
            left = right;
            right = next;
        }
        return (left << half) | right;
    };
    uint64_t x = position;
    do x = feistel(x);
    while (n != 0 && x >= n);
    return x;
}

// The index a variable takes for this variant: within each round of n variants every variant
// gets a different index; the permutation is keyed by SHA-256(seed, name, round).
uint64_t variable_index(uint64_t seed, unsigned variant, const std::string& name, uint64_t n) {
    uint64_t round = n == 0 ? 0 : variant / n, position = n == 0 ? variant : variant % n;
    std::string material = "dflab-recipe-variable\n" + std::to_string(seed) + "\n" + name + "\n" +
                           std::to_string(round);
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
    SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest.data());
    uint64_t state = 0;
    for (int i = 7; i >= 0; --i) state = (state << 8) | digest[static_cast<size_t>(i)];
    SplitMix64 rng(state);
    return permute(n, position, rng);
}

}  // namespace

std::map<std::string, std::string> parse_variables(const Context& ctx, const Field& section,
                                                   uint64_t seed, unsigned variant) {
    static const std::vector<std::string> kinds = {"choice", "name", "integer",
                                                   "size",   "time", "hex"};
    std::map<std::string, std::string> out;
    MapReader vars(ctx, section.node, section.mark, "variables", {"*"});
    for (const Field& v : vars.fields()) {
        const std::string& name = v.key;
        if (!is_identifier(name, "_") || (name[0] >= '0' && name[0] <= '9'))
            ctx.fail(v.key_mark, "variable name " + quote(name) +
                                     " must be letters, digits and _, not starting with a "
                                     "digit; rename it");
        std::string what = "variable '" + name + "'";
        MapReader spec(ctx, v.node, v.mark, what,
                       {"choice", "name", "integer", "size", "time", "hex", "step", "format"});
        std::vector<const Field*> found = spec.find_each(kinds);
        if (found.empty())
            ctx.fail(v.mark, what + " needs one of: " + join(kinds) +
                                 "; for example {choice: [a, b, c]} or {integer: [1, 100]}");
        if (found.size() > 1)
            ctx.fail(found[1]->key_mark, what + " has both '" + found[0]->key + "' and '" +
                                             found[1]->key + "'; keep one");
        const Field& kf = *found[0];
        const std::string kind = kf.key;
        std::vector<std::string> allowed = {kind};
        if (kind == "integer" || kind == "size" || kind == "time") allowed.push_back("step");
        if (kind == "time") allowed.push_back("format");
        spec.only(allowed, what + " (" + kind + ")");

        auto two = [&](const std::string& example) {
            const YAML::Node& list = list_value(ctx, kf, "a list [from, to], e.g. " + example);
            if (list.size() != 2)
                ctx.fail(kf.mark, "'" + kind + "' needs exactly two values [from, to], e.g. " +
                                      example + "; it has " + std::to_string(list.size()));
            return std::pair<Field, Field>{item_field(ctx, kf, 0), item_field(ctx, kf, 1)};
        };
        auto reversed = [&](const Field& to) {
            ctx.fail(to.mark, what +
                                  ": the range ends before it starts; write [from, to] with "
                                  "from <= to");
        };
        // One of lo, lo + step, ... up to hi, in two's complement for signed ranges.
        auto pick = [&](uint64_t lo, uint64_t hi, uint64_t step) {
            uint64_t n = (hi - lo) / step + 1;
            return lo + variable_index(seed, variant, name, n) * step;
        };
        const Field* step_field = spec.find("step");
        // Integers and times: the step is a whole number (seconds for times).
        auto pick_signed = [&](int64_t lo, int64_t hi, const Field& to) {
            if (lo > hi) reversed(to);
            uint64_t step = step_field ? uint_value(ctx, *step_field, 1, UINT64_MAX) : 1;
            return static_cast<int64_t>(
                pick(static_cast<uint64_t>(lo), static_cast<uint64_t>(hi), step));
        };
        std::string result;
        if (kind == "choice" || (kind == "name" && kf.node.IsSequence())) {
            const YAML::Node& list = list_value(ctx, kf, "a list of values");
            if (list.size() == 0)
                ctx.fail(kf.mark, what + " has an empty list; give at least one value");
            std::vector<std::string> values;
            for (size_t i = 0; i < list.size(); ++i)
                values.push_back(text_value(ctx, item_field(ctx, kf, i)));
            result = values[variable_index(seed, variant, name, values.size())];
        } else if (kind == "name") {
            std::string set =
                keyword_value(ctx, kf, "a list of names or one of english, russian, kazakh");
            auto it = builtin_names().find(set);
            if (it == builtin_names().end())
                ctx.fail(kf.mark, "there is no built-in name list " + quote(set) +
                                      "; use english, russian, kazakh or a list of names");
            result = it->second[variable_index(seed, variant, name, it->second.size())];
        } else if (kind == "integer") {
            auto [a, b] = two("[1, 100]");
            int64_t lo = int_value(ctx, a);
            result = std::to_string(pick_signed(lo, int_value(ctx, b), b));
        } else if (kind == "size") {
            auto [a, b] = two("[1KiB, 4MiB]");
            uint64_t lo = size_value(ctx, a), hi = size_value(ctx, b);
            if (lo > hi) reversed(b);
            uint64_t step = step_field ? size_value(ctx, *step_field) : 1;
            if (step == 0) ctx.fail(step_field->mark, "'step' must be at least 1 byte; fix it");
            result = std::to_string(pick(lo, hi, step));
        } else if (kind == "time") {
            auto [a, b] = two("[2024-03-01T09:00:00, 2024-03-01T18:00:00]");
            int64_t lo = time_value(ctx, a);
            int64_t t = pick_signed(lo, time_value(ctx, b), b);
            std::string format;
            if (const Field* f = spec.find("format")) format = text_value(ctx, *f);
            result = format_time(t, ctx.zone, format);
        } else {  // hex
            uint64_t digits = uint_value(ctx, kf, 1, 16);
            uint64_t n = digits == 16 ? 0 : 1ULL << (4 * digits);  // 0 stands for 2^64
            char buf[24];
            std::snprintf(buf, sizeof buf, "%0*llx", static_cast<int>(digits),
                          static_cast<unsigned long long>(variable_index(seed, variant, name, n)));
            result = buf;
        }
        out[name] = result;
    }
    return out;
}

std::string substitute(const Context& ctx, const Field& f, const std::string& raw) {
    if (!ctx.substitute || raw.find("${") == std::string::npos) return raw;
    // Where the n-th "${" of the value is in the source (falls back to the value's start).
    auto mark_of = [&](size_t nth) {
        size_t p = f.pos;
        for (size_t k = 0; k <= nth; ++k) {
            p = ctx.source.find("${", k == 0 ? p : p + 1);
            if (p == std::string::npos) return f.mark;
        }
        return ctx.at_byte(p);
    };
    std::string out;
    size_t seen = 0;
    for (size_t i = 0; i < raw.size();) {
        if (raw.compare(i, 3, "$${") == 0) {
            out += "${";
            i += 3;
            ++seen;
            continue;
        }
        if (raw.compare(i, 2, "${") == 0) {
            size_t end = raw.find('}', i + 2);
            if (end == std::string::npos)
                ctx.fail(mark_of(seen), "unfinished ${ in " + quote(raw) +
                                            "; close it with } (write $${ for a literal ${)");
            std::string name = raw.substr(i + 2, end - i - 2);
            auto it = ctx.variables.find(name);
            if (it == ctx.variables.end()) {
                std::vector<std::string> names;
                for (auto& [n, value] : ctx.variables) names.push_back(n);
                ctx.fail(mark_of(seen),
                         "unknown variable ${" + name + "}; define it under variables:" +
                             (names.empty() ? "" : " (defined: " + join(names) + ")"));
            }
            out += it->second;
            i = end + 1;
            ++seen;
            continue;
        }
        out += raw[i++];
    }
    return out;
}

}  // namespace recipe_detail

}  // namespace dflab::images
