// The location answer type against GeographicLib (Debian's geographiclib-tools): GeoConvert reads
// the same degrees-minutes-seconds spellings into decimal degrees, and GeodSolve places points a
// known distance away on the WGS84 ellipsoid, so the tolerance is checked in real metres.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "scoring/answer_key.hpp"
#include "scoring/grade.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::scoring {
namespace {

using nlohmann::json;
using test::run;
using test::shell_quote;

KeyQuestion question(json answer, json options = json::object()) {
    KeyQuestion q;
    q.id = "stash";
    q.type = "location";
    q.points = 10;
    q.options = std::move(options);
    q.answers[0] = std::move(answer);
    return q;
}

// Two numbers a tool printed.
std::pair<double, double> two_numbers(const std::string& text) {
    std::istringstream in(text);
    double a = NAN, b = NAN;
    in >> a >> b;
    return {a, b};
}

// GeoConvert's decimal degrees of `place` (latitude, longitude).
std::pair<double, double> geoconvert(const std::string& place) {
    auto r = run("printf '%s\\n' " + shell_quote(place) + " | GeoConvert -p 3");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("ERROR"), std::string::npos) << place << ": " << r.out;
    return two_numbers(r.out);
}

// The point `metres` from (lat, lon) at `azimuth` degrees, by GeodSolve on WGS84.
std::pair<double, double> geodsolve_direct(double lat, double lon, double azimuth, double metres) {
    auto r = run("echo " + std::to_string(lat) + " " + std::to_string(lon) + " " +
                 std::to_string(azimuth) + " " + std::to_string(metres) + " | GeodSolve -p 9");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return two_numbers(r.out);
}

std::pair<double, double> understood(const KeyQuestion& q, const std::string& answer) {
    const Grade g = grade_answer(q, answer, 0, "DMY");
    EXPECT_TRUE(g.understood) << answer << ": " << g.feedback;
    return two_numbers([&] {
        std::string s = g.normalised;
        for (char& c : s)
            if (c == ',') c = ' ';
        return s;
    }());
}

const std::string kKey = "43.238293, 76.945465";  // the photo's GPS in the mobile pack

TEST(ScoringLocation, SpellingsGeoConvertReadsAreUnderstoodAsItReadsThem) {
    const KeyQuestion q = question(kKey);
    for (const std::string place :
         {"43.238293 76.945465", "43°14'17.9\"N 76°56'43.7\"E", "43d14'17.85\"N 76d56'43.67\"E",
          "43°14.298'N 76°56.728'E", "N43°14'17.9\" E76°56'43.7\"", "76°56'43.7\"E 43°14'17.9\"N",
          "-33.8568 151.2153", "33°51'24.5\"S 151°12'55.1\"E", "40°26'46\"N 79°58'56\"W",
          "-0°30'00\" 151°12'55.1\""}) {
        SCOPED_TRACE(place);
        const auto [lat, lon] = geoconvert(place);
        const auto [have_lat, have_lon] = understood(q, place);
        EXPECT_NEAR(have_lat, lat, 1e-6);
        EXPECT_NEAR(have_lon, lon, 1e-6);
    }
}

TEST(ScoringLocation, RussianKazakhExiftoolAndLinkSpellingsMeanTheLatinOnes) {
    const KeyQuestion q = question(kKey);
    const auto [lat, lon] = geoconvert("43°14'17.9\"N 76°56'43.7\"E");
    for (const std::string place :
         {"43°14'17.9\" с.ш. 76°56'43.7\" в.д.", "43°14′17.9″ С.Ш., 76°56′43.7″ В.Д.",
          "43°14'17.9\" с.е. 76°56'43.7\" ш.б.", "с 43°14'17.9\" в 76°56'43.7\"",
          "43 deg 14' 17.90\" N, 76 deg 56' 43.70\" E", "43 14 17.9 N 76 56 43.7 E",
          "широта 43°14'17.9\" с.ш., долгота 76°56'43.7\" в.д."}) {
        SCOPED_TRACE(place);
        const auto [have_lat, have_lon] = understood(q, place);
        EXPECT_NEAR(have_lat, lat, 1e-6);
        EXPECT_NEAR(have_lon, lon, 1e-6);
    }
    for (const std::string link :
         {"geo:43.238293,76.945465", "https://maps.google.com/?q=43.238293,76.945465",
          "https://www.google.com/maps/@43.238293,76.945465,17z", "43,238293; 76,945465",
          "43,238293 76,945465", "Lat: 43.238293 Lon: 76.945465"}) {
        SCOPED_TRACE(link);
        const auto [have_lat, have_lon] = understood(q, link);
        EXPECT_NEAR(have_lat, 43.238293, 1e-9);
        EXPECT_NEAR(have_lon, 76.945465, 1e-9);
    }
}

TEST(ScoringLocation, RightWithinTheToleranceInMetresAsGeodSolveMeasuresThem) {
    const KeyQuestion q = question(kKey);                                      // 30 m
    const KeyQuestion wide = question(kKey, json{{"tolerance_metres", 100}});  // 100 m
    for (double azimuth : {0.0, 90.0, 225.0}) {
        SCOPED_TRACE(azimuth);
        auto place = [&](double metres) {
            const auto [lat, lon] = geodsolve_direct(43.238293, 76.945465, azimuth, metres);
            return std::to_string(lat) + ", " + std::to_string(lon);
        };
        EXPECT_EQ(grade_answer(q, place(25), 0, "DMY").verdict, Verdict::correct);
        EXPECT_EQ(grade_answer(q, place(35), 0, "DMY").verdict, Verdict::incorrect);
        EXPECT_EQ(grade_answer(wide, place(90), 0, "DMY").verdict, Verdict::correct);
        EXPECT_EQ(grade_answer(wide, place(110), 0, "DMY").verdict, Verdict::incorrect);
    }
}

TEST(ScoringLocation, WhatIsNotAPlaceIsNotUnderstoodAndNotAnAttempt) {
    const KeyQuestion q = question(kKey);
    for (const std::string bad : {"43.238293", "Almaty", "43.2 N 76.9 N", "43°61'00\"N 76°00'00\"E",
                                  "95.0, 76.9", "43.2, 190.0", "-43.2 S 76.9 E", "43.2, 76.9, 12.0",
                                  "", "43.2 76.9 foo", "4.3e1", "1e5", "43.2 .n 76.9 .e"}) {
        SCOPED_TRACE(bad);
        const Grade g = grade_answer(q, bad, 0, "DMY");
        EXPECT_FALSE(g.understood) << g.normalised;
    }
    EXPECT_FALSE(grade_answer(q, json(43.2), 0, "DMY").understood);
}

TEST(ScoringLocation, TheKeyMustBeAPlace) {
    auto key = [](json answer, json options) {
        return json{{"format", "dflab-answer-key"},
                    {"format_version", 1},
                    {"pack", "p"},
                    {"questions",
                     {{{"id", "q"},
                       {"type", "location"},
                       {"points", 1},
                       {"options", std::move(options)},
                       {"answer", std::move(answer)}}}}};
    };
    EXPECT_NO_THROW(parse_answer_key(key(kKey, json::object()), "k.json"));
    const std::string not_a_place =
        test::error_of([&] { parse_answer_key(key("Almaty", json::object()), "k.json"); });
    EXPECT_NE(not_a_place.find("k.json: question q: variant 0: a location answer must be "
                               "latitude and longitude"),
              std::string::npos)
        << not_a_place;
    const std::string bad_tolerance = test::error_of([&] {
        parse_answer_key(key(kKey, json{{"tolerance_metres", -5}}), "k.json");
    });
    EXPECT_NE(bad_tolerance.find("tolerance_metres"), std::string::npos) << bad_tolerance;
}

}  // namespace
}  // namespace dflab::scoring
