// timestamp: a moment, compared in UTC within options.tolerance_seconds. Accepted: ISO 8601 with
// Z or an offset ("2023-10-02T17:03:11+03:00"), "2023-10-02 14:03:11 UTC",
// "02.10.2023 17:03:11 +03:00", "10/02/2023 14:03:11 Asia/Almaty" (numeric dates read per the
// key's date_order), AM/PM, and Unix epoch seconds. Without a zone, options.timezone is assumed;
// absent, a zone is required.
#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdlib>

#include "scoring/answer_types.hpp"

namespace dflab::scoring {

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

// A zone written after the time: Z, UTC, GMT, +03:00, +0300, +03, UTC+3, or an IANA name.
// Returns false with `problem` set when it is none of those.
bool read_zone(std::string zone, date::local_seconds local, date::sys_seconds& out,
               std::string& problem) {
    while (!zone.empty() && (zone.front() == '(' || zone.front() == '[')) zone.erase(0, 1);
    while (!zone.empty() && (zone.back() == ')' || zone.back() == ']')) zone.pop_back();
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
    problem = "the time zone '" + zone +
              "' is not understood (write Z, UTC, +03:00 or an IANA name such as Asia/Almaty)";
    return false;
}

// Day, month and year from three numbers separated by `separator`.
bool order_date(long a, int a_digits, long b, long c, int c_digits, char separator,
                std::string_view date_order, date::year_month_day& out, std::string& problem) {
    long y = 0, m = 0, d = 0;
    if (a_digits == 4) {
        y = a, m = b, d = c;
    } else if (c_digits == 4 && (separator == '.' || date_order == "DMY")) {
        d = a, m = b, y = c;
    } else if (c_digits == 4 && date_order == "MDY") {
        m = a, d = b, y = c;
    } else {
        problem = "the date is ambiguous: write it as YYYY-MM-DD";
        return false;
    }
    out = date::year{static_cast<int>(y)} / date::month{static_cast<unsigned>(m)} /
          date::day{static_cast<unsigned>(d)};
    if (!out.ok()) {
        problem = "there is no such date";
        return false;
    }
    return true;
}

std::optional<date::sys_seconds> parse_moment(std::string_view input, const Context& ctx,
                                              std::string& note, std::string& problem) {
    std::string text = trim_and_fold_spaces(input);
    if (text.size() > 100) {
        problem = "a date and time was expected; this is too long to be one";
        return std::nullopt;
    }
    if (auto epoch = parse_whole_number(text);
        epoch && text.find_first_not_of("-0123456789") == std::string::npos) {
        long long value = *epoch;
        if (text.size() == 13) value /= 1000;  // milliseconds
        if (value < -100'000'000'000LL || value > 100'000'000'000LL) {
            problem = "the Unix time " + text + " is out of range";
            return std::nullopt;
        }
        note = " (Unix time)";
        return date::sys_seconds{seconds{value}};
    }
    Cursor c{text};
    long a = 0, b = 0, y = 0, hour = 0, minute = 0, second = 0;
    int a_digits = c.number(4, a);
    char separator = c.peek();
    bool date_ok = a_digits > 0 && (separator == '-' || separator == '.' || separator == '/');
    int b_digits = date_ok ? (c.take(separator), c.number(2, b)) : 0;
    int c_digits = b_digits > 0 && c.take(separator) ? c.number(4, y) : 0;
    if (!date_ok || b_digits == 0 || c_digits == 0) {
        problem = "a date and time was expected, e.g. 2023-10-02T14:03:11Z";
        return std::nullopt;
    }
    date::year_month_day ymd;
    if (!order_date(a, a_digits, b, y, c_digits, separator, ctx.date_order, ymd, problem))
        return std::nullopt;
    if (!(c.take('T') || c.take('t') || c.take(' ') || c.take(','))) {
        problem = "a time of day is needed after the date";
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
        problem = "the time of day is not understood; write it as HH:MM:SS";
        return std::nullopt;
    }
    auto local = date::local_seconds{date::local_days{ymd}.time_since_epoch() +
                                     seconds{hour * 3600 + minute * 60 + second}};
    if (rest.empty()) {
        std::string zone = option_string(ctx.options, "timezone", "");
        if (zone.empty()) {
            problem = "a time zone is needed (e.g. Z, UTC, +03:00 or Asia/Almaty)";
            return std::nullopt;
        }
        rest = zone;
        note = " (read in " + zone + ")";
    }
    date::sys_seconds moment;
    if (!read_zone(rest, local, moment, problem)) return std::nullopt;
    return moment;
}

Normalised normalise(const nlohmann::json& submitted, const Context& ctx) {
    std::optional<std::string> text = as_text(submitted);
    if (!text || submitted.is_boolean()) return {false, "", "a date and time was expected"};
    std::string note, problem;
    auto moment = parse_moment(*text, ctx, note, problem);
    if (!moment) return {false, "", problem};
    return {true, date::format("%Y-%m-%dT%H:%M:%SZ", *moment) + note, ""};
}

long long epoch_of(std::string_view iso) {
    static const nlohmann::json no_options = nlohmann::json::object();
    std::string note, problem;
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
    std::string note, problem;
    if (!parse_moment(answer.get<std::string>(), Context{no_options, "YMD"}, note, problem))
        return "timestamp answer '" + answer.get<std::string>() + "': " + problem;
    if (auto zone = option_string(options, "timezone", ""); !zone.empty()) {
        try {
            date::locate_zone(zone);
        } catch (const std::exception&) {
            return "options.timezone '" + zone + "' is not an IANA time zone";
        }
    }
    return "";
}

}  // namespace

const AnswerType timestamp_answer{"timestamp", normalise, compare, check_key};

}  // namespace dflab::scoring
