#pragma once
// An answer key for the lab tests (docs/answer-key.md), two variants: hash (2 attempts, penalty 1,
// two hints), count (integer, needs hash), when (timestamp), files (set of paths), essay
// (free_text).
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace dflab::test {

inline const std::string kHash0(64, 'a'), kHash1(64, 'b');

inline nlohmann::json lab_test_key(int count_answer = 3) {
    auto question = [](std::string id, std::string type, double points, nlohmann::json a0,
                       nlohmann::json a1) {
        return nlohmann::json{{"id", id},
                              {"type", type},
                              {"points", points},
                              {"answer", a0},
                              {"answers", {{"0", a0}, {"1", a1}}},
                              {"options", nlohmann::json::object()},
                              {"max_attempts", 0},
                              {"wrong_attempt_penalty", 0},
                              {"hints", nlohmann::json::array()},
                              {"prerequisites", nlohmann::json::array()},
                              {"choices", nlohmann::json::array()},
                              {"rubric", nlohmann::json::object()}};
    };
    auto hash = question("hash", "hash", 10, {{"sha256", kHash0}}, {{"sha256", kHash1}});
    hash["options"] = {{"algorithm", "sha256"}};
    hash["max_attempts"] = 2;
    hash["wrong_attempt_penalty"] = 1;
    hash["hints"] = {{{"cost", 2}}, {{"cost", 3}}};
    auto count = question("count", "integer", 5, count_answer, 4);
    count["prerequisites"] = {"hash"};
    auto when = question("when", "timestamp", 5, "2023-10-02T14:03:11Z", "2023-10-03T09:00:00Z");
    auto files = question("files", "set", 6, {"/a.txt", "/b.txt"}, {"/c.txt"});
    files["options"] = {{"element_type", "path"}};
    auto essay = question("essay", "free_text", 4, nullptr, nullptr);
    essay["rubric"] = {{"en", "Names the butler."}};
    return {{"format", "dflab-answer-key"},
            {"format_version", 1},
            {"pack", "intro"},
            {"pack_version", "1.0.0"},
            {"date_order", "DMY"},
            {"variants", {0, 1}},
            {"questions", {hash, count, when, files, essay}}};
}

inline std::string write_json(const std::string& path, const nlohmann::json& value) {
    std::ofstream(path) << value.dump(2);
    return path;
}

}  // namespace dflab::test
