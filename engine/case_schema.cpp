#include "engine/case_schema.hpp"

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
    for (const auto& r : analyzer_registry()) sql += r.tables_sql;
    return sql;
}

std::string case_indexes_sql() {
    std::string sql(kCaseIndexes);
    for (const auto& r : analyzer_registry()) sql += r.indexes_sql;
    return sql;
}

}  // namespace dflab::engine
