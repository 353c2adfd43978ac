// dflab query CASE.sqlite "SQL": read-only queries over a case database.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/sqlite.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct QueryArgs {
    std::string database;
    std::string sql;
    bool json = false;
};

nlohmann::json value_json(const engine::SqlValue& v) {
    return std::visit(
        [](const auto& x) -> nlohmann::json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>)
                return nullptr;
            else
                return x;
        },
        v);
}

std::string value_text(const engine::SqlValue& v) {
    if (std::holds_alternative<std::nullptr_t>(v)) return "";
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return value_json(v).dump();
}

}  // namespace

void register_query(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<QueryArgs>();
    auto* cmd =
        app.add_subcommand("query",
                           "Run one read-only SQL query over a case database (writes are refused); "
                           "tab-separated with a header, or --json");
    cmd->add_option("CASE", a->database, "Case database written by 'dflab analyze'")->required();
    cmd->add_option("SQL", a->sql, "One SQL statement, e.g. \"SELECT path, sha256 FROM files\"")
        ->required();
    cmd->add_flag("--json", a->json, "A JSON array of objects, one per row");
    cmd->callback([a, &exit_code] {
        if (!std::filesystem::exists(a->database))
            throw engine::Error(a->database + ": no such file");
        engine::Database db(a->database, engine::Database::Mode::ReadOnly);
        db.exec("PRAGMA query_only = 1");
        engine::Statement s = [&] {
            try {
                return db.prepare(a->sql);
            } catch (const engine::Error& e) {
                throw engine::Error(a->database + ": " + e.what());
            }
        }();
        if (!sqlite3_stmt_readonly(s.get())) {
            throw engine::Error(a->database +
                                ": the case is opened read-only; this statement would write");
        }
        // Column names in the query's order; a repeated name gets a suffix (":2", ":3", ...).
        std::vector<std::string> names;
        for (int i = 0; i < s.columns(); ++i) {
            std::string name = s.column_name(i);
            int n = 1;
            std::string unique = name;
            while (std::find(names.begin(), names.end(), unique) != names.end())
                unique = name + ":" + std::to_string(++n);
            names.push_back(unique);
        }
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        if (!a->json) {
            for (size_t i = 0; i < names.size(); ++i) std::cout << (i ? "\t" : "") << names[i];
            std::cout << "\n";
        }
        while (s.step()) {
            if (a->json) {
                nlohmann::ordered_json row = nlohmann::ordered_json::object();
                for (int i = 0; i < s.columns(); ++i)
                    row[names[static_cast<size_t>(i)]] = value_json(s.column(i));
                rows.push_back(std::move(row));
                continue;
            }
            for (int i = 0; i < s.columns(); ++i)
                std::cout << (i ? "\t" : "") << value_text(s.column(i));
            std::cout << "\n";
        }
        // Text columns may hold any bytes (a query can select anything, cut names with substr()):
        // JSON gets U+FFFD for what is not UTF-8. The files table keeps the original bytes of
        // names in name_hex and path_hex (docs/case-database.md).
        if (a->json)
            std::cout << rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                      << "\n";
        exit_code = 0;
    });
}

}  // namespace dflab::tools
