#include "engine/case_schema.hpp"

#include <set>
#include <string_view>

#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

std::string case_schema_sql() {
    std::string sql(kCaseSchema);
    // The analyzers' columns come last in the files table, after path_hex.
    constexpr std::string_view last = "path_hex           TEXT";
    const size_t at = sql.find(last);
    if (at == std::string::npos) throw Error("case schema: the files table has no path_hex");
    std::string columns;
    for (const auto& r : analyzer_registry())
        for (const auto& c : r.columns) columns += ",\n    " + c.name + " " + c.type;
    sql.insert(at + last.size(), columns);
    // Several analyzers may write one shared table (every artifact reader writes `artifacts`):
    // each declares it with the same statement, which is created once.
    std::set<std::string_view> tables;
    for (const auto& r : analyzer_registry())
        if (tables.insert(r.tables_sql).second) sql += r.tables_sql;
    return sql;
}

std::string case_indexes_sql() {
    std::string sql(kCaseIndexes);
    std::set<std::string_view> indexes;
    for (const auto& r : analyzer_registry())
        if (indexes.insert(r.indexes_sql).second) sql += r.indexes_sql;
    return sql;
}

}  // namespace dflab::engine
