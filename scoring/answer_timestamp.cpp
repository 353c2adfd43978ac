// timestamp: a moment, compared in UTC within options.tolerance_seconds. Accepted: ISO 8601 with
// Z or an offset ("2023-10-02T17:03:11+03:00"), "2023-10-02 14:03:11 UTC",
// "02.10.2023 17:03:11 +03:00", "10/02/2023 14:03:11 Asia/Almaty" (numeric dates read per the
// key's date_order), month names in English, Russian (any case) and Kazakh ("14 апреля 2025 10:07
// +05", "Apr 14, 2025 10:07 UTC+5", "2025 жылғы 14 сәуір 10:07"), AM/PM, Unix epoch seconds, and
// zones as examiners say them when options.zone_names lists them ("10:07 по Алматы" for
// Asia/Almaty). Without a zone, options.timezone is assumed; absent, a zone is required.
#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

using common::Message;

namespace {

using std::chrono::seconds;

struct Cursor {
    std::string_view s;
    size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
    bool take(char c) {
        if (peek() != c) return false;
        ++i;
        return true;
    }
    void skip_spaces() {
        while (peek() == ' ') ++i;
    }
    // Up to `max` digits; returns the count read.
    int number(int max, long& out) {
        int n = 0;
        out = 0;
        while (n < max && peek() >= '0' && peek() <= '9') {
            out = out * 10 + (s[i++] - '0');
            ++n;
        }
        return n;
    }
};

// The IANA zone that options.zone_names gives `written` as a name of (case and spaces aside):
// {"Asia/Almaty": ["Алматы", "по Алматы", "ALMT"]}; "" when none.
std::string named_zone(const nlohmann::json& options, std::string_view written) {
    auto names = options.find("zone_names");
    if (names == options.end() || !names->is_object()) return "";
    std::string wanted = fold_case(trim_and_fold_spaces(written));
    for (const auto& [zone, list] : names->items()) {
        if (!list.is_array()) continue;
        for (const auto& name : list)
            if (name.is_string() &&
                fold_case(trim_and_fold_spaces(name.get<std::string>())) == wanted)
                return zone;
    }
    return "";
}

// A zone written after the time: Z, UTC, GMT, +03:00, +0300, +03, UTC+3, GMT+5, a name that
// options.zone_names lists, or an IANA name. Returns false with `problem` set when it is none.
bool read_zone(std::string zone, date::local_seconds local, const nlohmann::json& options,
               date::sys_seconds& out, Message& problem) {
    while (!zone.empty() && (zone.front() == '(' || zone.front() == '[')) zone.erase(0, 1);
    while (!zone.empty() && (zone.back() == ')' || zone.back() == ']')) zone.pop_back();
    if (std::string named = named_zone(options, zone); !named.empty()) {
        try {
            out = date::locate_zone(named)->to_sys(local, date::choose::earliest);
            return true;
        } catch (const std::exception&) {  // checked when the key is loaded
        }
    }
    std::string upper = fold_case(zone);
    for (auto prefix : {"utc", "gmt"})
        if (upper.rfind(prefix, 0) == 0 && upper.size() > 3 &&
            (upper[3] == '+' || upper[3] == '-' || upper[3] == ' '))
            upper.erase(0, 3);
    while (!upper.empty() && upper.front() == ' ') upper.erase(0, 1);
    if (upper == "z" || upper == "utc" || upper == "gmt" || upper == "etc/utc") {
        out = date::sys_seconds{local.time_since_epoch()};
        return true;
    }
    if (!upper.empty() && (upper[0] == '+' || upper[0] == '-')) {
        Cursor c{upper, 1};
        long hours = 0, minutes = 0;
        int digits = c.number(2, hours);
        if (digits > 0) {
            c.take(':');
            if (c.number(2, minutes) == 1) digits = 0;
        }
        if (digits > 0 && c.done() && hours <= 14 && minutes < 60) {
            seconds offset{(hours * 60 + minutes) * 60};
            if (upper[0] == '-') offset = -offset;
            out = date::sys_seconds{local.time_since_epoch() - offset};
            return true;
        }
    } else {
        try {
            const date::time_zone* tz = date::locate_zone(zone);
            out = tz->to_sys(local, date::choose::earliest);
            return true;
        } catch (const std::exception&) {
        }
    }
    problem = Message::of("grade.time.bad_zone", {{"zone", zone}});
    return false;
}

// Day, month and year from three numbers separated by `separator`.
bool order_date(long a, int a_digits, long b, long c, int c_digits, char separator,
                std::string_view date_order, date::year_month_day& out, Message& problem) {
    long y = 0, m = 0, d = 0;
    if (a_digits == 4) {
        y = a, m = b, d = c;
    } else if (c_digits == 4 && (separator == '.' || date_order == "DMY")) {
        d = a, m = b, y = c;
    } else if (c_digits == 4 && date_order == "MDY") {
        m = a, d = b, y = c;
    } else {
        problem = Message::of("grade.time.ambiguous_date");
        return false;
    }
    out = date::year{static_cast<int>(y)} / date::month{static_cast<unsigned>(m)} /
          date::day{static_cast<unsigned>(d)};
    if (!out.ok()) {
        problem = Message::of("grade.time.no_such_date");
        return false;
    }
    return true;
}

// The month (1-12) that a word names, 0 for none: English names and abbreviations, Russian in
// any grammatical case (апрель, апреля, апреле, ...) and abbreviations, Kazakh names with a case
// ending (сәуір, сәуірдің, сәуірде). `word` is case-folded, without a trailing '.' or ','.
unsigned month_of(std::string_view word) {
    static constexpr std::array<std::string_view, 12> english{
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    for (unsigned m = 0; m < 12; ++m)
        if (word == english[m] || (word.size() >= 3 && english[m].starts_with(word))) return m + 1;
    // Russian: stem + case ending; hard stems (март, август) and soft ones (январ-ь/-я/-е/-ю/-ём).
    struct Stem {
        std::string_view stem;
        bool soft;
    };
    static constexpr std::array<Stem, 12> russian{{{"январ", true},
                                                   {"феврал", true},
                                                   {"март", false},
                                                   {"апрел", true},
                                                   {"ма", true},
                                                   {"июн", true},
                                                   {"июл", true},
                                                   {"август", false},
                                                   {"сентябр", true},
                                                   {"октябр", true},
                                                   {"ноябр", true},
                                                   {"декабр", true}}};
    static constexpr std::array<std::string_view, 7> soft_endings{"ь",  "я",  "е", "ю",
                                                                  "ём", "ем", "й"};
    static constexpr std::array<std::string_view, 5> hard_endings{"", "а", "е", "у", "ом"};
    static constexpr std::array<std::string_view, 12> russian_short{
        "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"};
    for (unsigned m = 0; m < 12; ++m) {
        const Stem& r = russian[m];
        if (word == russian_short[m] || (m == 8 && word == "сент") || (m == 1 && word == "февр") ||
            (m == 10 && word == "нояб"))
            return m + 1;
        if (!word.starts_with(r.stem)) continue;
        std::string_view ending = word.substr(r.stem.size());
        if (m == 4 && (ending == "ь" || ending == "ём")) continue;  // "маь" is no word
        bool known = false;
        if (r.soft) {
            for (auto e : soft_endings) known = known || ending == e;
            known = known && (m == 4 || ending != "й");  // only май ends in й
        } else {
            for (auto e : hard_endings) known = known || ending == e;
        }
        if (known) return m + 1;
    }
    static constexpr std::array<std::string_view, 12> kazakh{
        "қаңтар", "ақпан", "наурыз",   "сәуір", "мамыр",  "маусым",
        "шілде",  "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"};
    static constexpr std::array<std::string_view, 14> kazakh_endings{
        "", "дың", "дің", "тың", "тің", "ның", "нің", "да", "де", "та", "те", "ында", "інде", "ы"};
    for (unsigned m = 0; m < 12; ++m) {
        if (!word.starts_with(kazakh[m])) continue;
        std::string_view ending = word.substr(kazakh[m].size());
        for (auto e : kazakh_endings)
            if (ending == e) return m + 1;
        if (ending == "і" || ending == "нда" || ending == "нде") return m + 1;
    }
    return 0;
}

// Words between a date and its time, or after the year, that say nothing more: "г.", "года",
// "жылғы", "в", "at", "сағат", "-".
bool filler(std::string_view word) {
    static constexpr std::array<std::string_view, 13> words{
        "г", "год", "года", "ж", "жыл", "жылы", "жылғы", "в", "at", "on", "сағат", "-", "—"};
    for (auto w : words)
        if (word == w) return true;
    return false;
}

// A date with a month name at the start of `text` ("14 апреля 2025 г. 10:07 +05", "Apr 14, 2025
// 10:07 UTC+5", "2025 жылғы 14 сәуір 10:07") rewritten as "2025-04-14 10:07 +05"; nullopt when
// `text` does not start so; `problem` set when it does but the date is impossible.
std::optional<std::string> with_numeric_date(std::string_view text, Message& problem) {
    std::vector<std::string> words;  // case-folded, without trailing '.' or ','
    std::vector<std::string> original;
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        std::string word(text.substr(start, end - start));
        original.push_back(word);
        while (!word.empty() && (word.back() == '.' || word.back() == ',')) word.pop_back();
        words.push_back(fold_case(word));
        start = end + 1;
    }
    auto number = [&](size_t i, size_t digits_min, size_t digits_max) -> long {
        if (i >= words.size()) return -1;
        const std::string& w = words[i];
        if (w.size() < digits_min || w.size() > digits_max ||
            w.find_first_not_of("0123456789") != std::string::npos)
            return -1;
        return std::stol(w);
    };
    size_t month_at = 0;
    unsigned month = 0;
    for (; month_at < words.size() && month_at < 4; ++month_at)
        if ((month = month_of(words[month_at])) != 0) break;
    if (month == 0) return std::nullopt;
    long day = -1, year = -1;
    size_t next = 0;  // the first word after the date
    if (month_at == 1 && (day = number(0, 1, 2)) >= 0 && (year = number(2, 4, 4)) >= 0) {
        next = 3;  // 14 апреля 2025
    } else if (month_at == 0 && (day = number(1, 1, 2)) >= 0 && (year = number(2, 4, 4)) >= 0) {
        next = 3;  // Apr 14, 2025
    } else if (month_at >= 2 && (year = number(0, 4, 4)) >= 0 &&
               (day = number(month_at - 1, 1, 2)) >= 0 && (month_at == 2 || filler(words[1]))) {
        next = month_at + 1;  // 2025 жылғы 14 сәуір
    } else {
        return std::nullopt;
    }
    while (next < words.size() && filler(words[next])) ++next;
    date::year_month_day ymd{date::year{static_cast<int>(year)}, date::month{month},
                             date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) {
        problem = Message::of("grade.time.no_such_date");
        return std::nullopt;
    }
    std::string out = date::format("%Y-%m-%d", ymd);
    for (size_t i = next; i < original.size(); ++i) out += " " + original[i];
    return out;
}

std::optional<date::sys_seconds> parse_moment(std::string_view input, const Context& ctx,
                                              Message& note, Message& problem) {
    std::string text = trim_and_fold_spaces(input);
    if (text.size() > 100) {
        problem = Message::of("grade.time.too_long");
        return std::nullopt;
    }
    if (auto epoch = parse_whole_number(text);
        epoch && text.find_first_not_of("-0123456789") == std::string::npos) {
        long long value = *epoch;
        if (text.size() == 13) value /= 1000;  // milliseconds
        if (value < -100'000'000'000LL || value > 100'000'000'000LL) {
            problem = Message::of("grade.time.unix_out_of_range", {{"value", text}});
            return std::nullopt;
        }
        note = Message::of("grade.time.unix_time");
        return date::sys_seconds{seconds{value}};
    }
    if (auto rewritten = with_numeric_date(text, problem); rewritten) {
        text = *rewritten;
    } else if (!problem.empty()) {
        return std::nullopt;
    }
    Cursor c{text};
    long a = 0, b = 0, y = 0, hour = 0, minute = 0, second = 0;
    int a_digits = c.number(4, a);
    char separator = c.peek();
    bool date_ok = a_digits > 0 && (separator == '-' || separator == '.' || separator == '/');
    int b_digits = date_ok ? (c.take(separator), c.number(2, b)) : 0;
    int c_digits = b_digits > 0 && c.take(separator) ? c.number(4, y) : 0;
    if (a_digits > 0 && a_digits <= 2 && separator == ':') {
        problem = Message::of("grade.time.date_needed");
        return std::nullopt;
    }
    if (!date_ok || b_digits == 0 || c_digits == 0) {
        problem = Message::of("grade.time.expected_example");
        return std::nullopt;
    }
    date::year_month_day ymd;
    if (!order_date(a, a_digits, b, y, c_digits, separator, ctx.date_order, ymd, problem))
        return std::nullopt;
    if (!(c.take('T') || c.take('t') || c.take(' ') || c.take(','))) {
        problem = Message::of("grade.time.time_needed");
        return std::nullopt;
    }
    c.skip_spaces();
    bool time_ok = c.number(2, hour) > 0 && c.take(':') && c.number(2, minute) == 2;
    if (time_ok && c.take(':')) time_ok = c.number(2, second) == 2;
    if (time_ok && (c.peek() == '.' || c.peek() == ',')) {  // fraction: dropped
        long ignored = 0;
        c.take(c.peek());
        time_ok = c.number(9, ignored) > 0;
    }
    std::string rest = std::string(text.substr(c.i));
    while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    std::string rest_folded = fold_case(rest.substr(0, 2));
    if (time_ok && (rest_folded == "am" || rest_folded == "pm") &&
        (rest.size() == 2 || rest[2] == ' ')) {
        if (hour < 1 || hour > 12) time_ok = false;
        hour = hour % 12 + (rest_folded == "pm" ? 12 : 0);
        rest.erase(0, 2);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    }
    if (!time_ok || hour > 23 || minute > 59 || second > 59) {
        problem = Message::of("grade.time.bad_time_of_day");
        return std::nullopt;
    }
    auto local = date::local_seconds{date::local_days{ymd}.time_since_epoch() +
                                     seconds{hour * 3600 + minute * 60 + second}};
    if (rest.empty()) {
        std::string zone = option_string(ctx.options, "timezone", "");
        if (zone.empty()) {
            problem = Message::of("grade.time.zone_needed");
            return std::nullopt;
        }
        rest = zone;
        note = Message::of("grade.time.read_in", {{"zone", zone}});
    }
    date::sys_seconds moment;
    if (!read_zone(rest, local, ctx.options, moment, problem)) return std::nullopt;
    return moment;
}

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    std::optional<std::string> text = as_text(submitted);
    if (!text || submitted.is_boolean()) return {false, "", Message::of("grade.time.expected")};
    Message note;
    Message problem;
    auto moment = parse_moment(*text, ctx, note, problem);
    if (!moment) return {false, "", problem};
    const std::string time = date::format("%Y-%m-%dT%H:%M:%SZ", *moment);
    if (note.empty()) return {true, time, ""};
    Message shown = Message::of("grade.time.with_note", {{"time", time}, {"note", note}});
    return {true, common::render("en", shown), "", shown};
}

long long epoch_of(std::string_view iso) {
    static const nlohmann::json no_options = nlohmann::json::object();
    Message note;
    Message problem;
    auto moment = parse_moment(iso, Context{no_options, "YMD"}, note, problem);
    return moment ? moment->time_since_epoch().count() : 0;
}

Comparison compare(const Normalised& answer, const nlohmann::json& expected, const Context& ctx) {
    long long tolerance = 0;
    if (auto it = ctx.options.find("tolerance_seconds"); it != ctx.options.end() && it->is_number())
        tolerance = static_cast<long long>(it->get<double>());
    std::string_view value = answer.value;
    long long difference =
        epoch_of(value.substr(0, value.find(' '))) - epoch_of(expected.get<std::string>());
    return {std::llabs(difference) <= tolerance ? 1.0 : 0.0, ""};
}

std::string check_key(const nlohmann::json& answer, const nlohmann::json& options) {
    if (!answer.is_string()) return "a timestamp answer must be a string (ISO 8601 in UTC)";
    static const nlohmann::json no_options = nlohmann::json::object();
    Message note;
    Message problem;
    if (!parse_moment(answer.get<std::string>(), Context{no_options, "YMD"}, note, problem))
        return "timestamp answer '" + answer.get<std::string>() +
               "': " + common::render("en", problem);
    if (auto zone = option_string(options, "timezone", ""); !zone.empty()) {
        try {
            date::locate_zone(zone);
        } catch (const std::exception&) {
            return "options.timezone '" + zone + "' is not an IANA time zone";
        }
    }
    if (auto names = options.find("zone_names"); names != options.end()) {
        if (!names->is_object()) return "options.zone_names must map IANA zones to lists of names";
        for (const auto& [zone, list] : names->items()) {
            try {
                date::locate_zone(zone);
            } catch (const std::exception&) {
                return "options.zone_names: '" + zone + "' is not an IANA time zone";
            }
            if (!list.is_array() || list.empty())
                return "options.zone_names: " + zone + " must list names (strings)";
            for (const auto& name : list)
                if (!name.is_string() || trim_and_fold_spaces(name.get<std::string>()).empty())
                    return "options.zone_names: " + zone + " must list names (strings)";
        }
    }
    return "";
}

}  // namespace

const AnswerType timestamp_answer{"timestamp", normalise, compare, check_key};

}  // namespace dflab::scoring
