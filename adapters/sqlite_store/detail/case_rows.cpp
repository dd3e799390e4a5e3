#include "adapters/sqlite_store/detail/case_rows.hpp"

#include <SQLiteCpp/Column.h>

#include "adapters/sqlite_store/store.hpp"

namespace minsheng::adapters::sqlite_store::detail {

dialog::case_record read_case(const SQLite::Statement& row) {
    dialog::case_record c;
    c.id = row.getColumn(0).getInt64();
    c.number = row.getColumn(1).getString();
    const auto from = dialog::channel_from_string(row.getColumn(2).getString());
    if (!from) throw store_error("sqlite_store: a case row names an unknown channel");
    c.from = *from;
    c.reporter_id = row.getColumn(3).getString();
    c.kind = row.getColumn(4).getString();
    c.category = row.getColumn(5).getString();
    c.category_confidence = row.getColumn(6).getDouble();
    c.urgency = row.getColumn(7).getString();
    c.status = row.getColumn(8).getString();
    c.description = row.getColumn(9).getString();
    c.address = row.getColumn(10).getString();
    c.contact_phone = row.getColumn(11).getString();
    c.created_at = row.getColumn(12).getInt64();
    c.updated_at = row.getColumn(13).getInt64();
    return c;
}

}  // namespace minsheng::adapters::sqlite_store::detail
