#pragma once
// The Android userdata example (images/examples/android-userdata.yaml) built once per test suite,
// with what the phone tests share: a file extracted by fls and icat (which share no code with
// dflab) and `dflab artifacts --kind KIND --json` read back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/artifact_image.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline const std::string kRecipe =
    std::string(DFLAB_SOURCE_DIR) + "/images/examples/android-userdata.yaml";
inline const std::string kTelephony = "/data/com.android.providers.telephony/databases/";
inline const std::string kContacts = "/data/com.android.providers.contacts/databases/";
inline const std::string kWhatsapp = "/data/com.whatsapp/databases/";

inline std::string text(const nlohmann::json& j) {
    if (j.is_null()) return "";
    if (j.is_string()) return j.get<std::string>();
    if (j.is_boolean()) return j.get<bool>() ? "1" : "0";
    return j.dump();
}

inline std::vector<std::byte> bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::transform(chars.begin(), chars.end(), out.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return out;
}

class AndroidUserdata : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = temp_dir();
        auto built =
            dflab("image build " + shell_quote(kRecipe) + " -o " + shell_quote(dir_ + "/out"));
        ASSERT_EQ(built.exit_code, 0) << built.err;
        raw_ = dir_ + "/out/android-userdata.raw";
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    // The file at `path` in the image, extracted by icat.
    std::string extract(const std::string& path) {
        const std::string out =
            dir_ + "/" + std::to_string(next_++) + "-" + path.substr(path.find_last_of('/') + 1);
        EXPECT_EQ(extract_with_icat(raw_, path, out), out) << "fls/icat: " << path;
        return out;
    }

    // `dflab artifacts --kind KIND --json`, one object a line.
    std::vector<nlohmann::json> artifacts(const std::string& kind) {
        auto r = dflab("artifacts " + shell_quote(raw_) + " --kind " + kind + " --json");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        std::vector<nlohmann::json> out;
        for (const auto& line : lines(r.out))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }

    static inline std::string dir_;  // the built image's folder, for the whole suite
    static inline std::string raw_;
    int next_ = 0;
};

}  // namespace dflab::test
