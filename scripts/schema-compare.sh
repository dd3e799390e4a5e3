#!/usr/bin/env bash
# Compares the schema of a SQLite database with a PostgreSQL one, as the store sees them:
#   scripts/schema-compare.sh <sqlite file> <postgresql url>
#   e.g. scripts/schema-compare.sh /var/lib/minsheng/minsheng.db \
#          'postgresql://minsheng@/minsheng?host=/tmp/pg&port=55431'
# Prints every difference ("< " the SQLite side, "> " the PostgreSQL side) and exits 1 if there
# is any, 0 if none (2 on a usage or tool error). Needs sqlite3 and psql.
#
# Both sides are reduced to the same lines, then diffed:
#   table T                                   every table but schema_migrations and sqlite_*
#   column T NN name type [not null] [default D | generated]
#                                             columns in order; INTEGER = bigint,
#                                             REAL = double precision, TEXT = text; defaults
#                                             without PostgreSQL's casts; a primary-key column
#                                             counts as not null; an identity column's default is
#                                             not compared (SQLite's rowid has none)
#   primary key T (cols)
#   unique T (cols)                           UNIQUE constraints (not unique indexes)
#   foreign key T (cols) -> T2 (cols)
#   checks T N                                how many CHECK constraints (SQLite: "CHECK (" and
#                                             "CHECK(" counted in the table's CREATE text, so a
#                                             comment saying so would count too; none does today)
#   index T name [unique] [partial] (cols)    SQLite's non-unique index on a rowid table ends
#                                             with the rowid: it is listed with `id` as its last
#                                             column, which the PostgreSQL index must say
#   trigger T name
# Not compared: the text of CHECK constraints, partial index predicates and trigger bodies, and
# column comments. Triggers that only PostgreSQL has on purpose are listed in pg_only_triggers.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <sqlite file> <postgresql url>" >&2
  exit 2
fi
sqlite_file=$1
pg_url=$2
[[ -f $sqlite_file ]] || { echo "$0: no such file: $sqlite_file" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "$0: sqlite3 is not installed" >&2; exit 2; }
command -v psql >/dev/null || { echo "$0: psql is not installed" >&2; exit 2; }

# Triggers PostgreSQL has that SQLite does not need (see adapters/pg_store/schema.cpp).
pg_only_triggers=(
  "trigger ledger_postings ledger_postings_balance"  # a posting left without entries, at COMMIT
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sqlite3 -readonly -batch -noheader "$sqlite_file" >"$work/sqlite.raw" <<'SQL'
CREATE TEMP VIEW t AS
  SELECT name, sql,
         -- a rowid table whose rowid is the column id
         (sql NOT LIKE '%WITHOUT ROWID%' AND EXISTS (
            SELECT 1 FROM pragma_table_info(m.name) p
            WHERE p.name = 'id' AND p.pk = 1 AND upper(p.type) = 'INTEGER')) AS rowid_id
  FROM sqlite_schema m
  WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations';

SELECT 'table ' || name FROM t;

SELECT 'column ' || t.name || ' ' || printf('%02d', p.cid) || ' ' || p.name || ' ' ||
       CASE upper(p.type) WHEN 'INTEGER' THEN 'bigint' WHEN 'REAL' THEN 'double precision'
                          WHEN 'TEXT' THEN 'text' ELSE lower(p.type) END ||
       CASE WHEN p."notnull" OR p.pk > 0 THEN ' not null' ELSE '' END ||
       CASE WHEN p.hidden IN (2, 3) THEN ' generated'
            WHEN p.dflt_value IS NOT NULL THEN ' default ' || p.dflt_value ELSE '' END
FROM t, pragma_table_xinfo(t.name) p;

SELECT 'primary key ' || name || ' (' ||
       (SELECT group_concat(c, ',') FROM (SELECT p.name AS c FROM pragma_table_info(t.name) p
                                          WHERE p.pk > 0 ORDER BY p.pk)) || ')'
FROM t WHERE EXISTS (SELECT 1 FROM pragma_table_info(t.name) p WHERE p.pk > 0);

SELECT 'unique ' || t.name || ' (' ||
       (SELECT group_concat(c, ',') FROM (SELECT ii.name AS c FROM pragma_index_info(il.name) ii
                                          ORDER BY ii.seqno)) || ')'
FROM t, pragma_index_list(t.name) il WHERE il.origin = 'u';

SELECT 'foreign key ' || t.name || ' (' || group_concat(f."from", ',') || ') -> ' ||
       f."table" || ' (' || group_concat(f."to", ',') || ')'
FROM t, pragma_foreign_key_list(t.name) f GROUP BY t.name, f.id;

SELECT 'checks ' || name || ' ' ||
       ((length(sql) - length(replace(upper(sql), 'CHECK (', ''))) / 7 +
        (length(sql) - length(replace(upper(sql), 'CHECK(', ''))) / 6)
FROM t;

SELECT 'index ' || t.name || ' ' || il.name ||
       CASE WHEN il."unique" THEN ' unique' ELSE '' END ||
       CASE WHEN il.partial THEN ' partial' ELSE '' END || ' (' ||
       (SELECT group_concat(c, ',') FROM (SELECT coalesce(ii.name, '<expr>') AS c
                                          FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) ||
       CASE WHEN t.rowid_id AND NOT il."unique" AND
                 (SELECT ii.name FROM pragma_index_info(il.name) ii
                  ORDER BY ii.seqno DESC LIMIT 1) IS NOT 'id'
            THEN ',id' ELSE '' END || ')'
FROM t, pragma_index_list(t.name) il WHERE il.origin = 'c';

SELECT 'trigger ' || tbl_name || ' ' || name FROM sqlite_schema WHERE type = 'trigger';
SQL

psql "$pg_url" -X -q -A -t -v ON_ERROR_STOP=1 >"$work/pg.raw" <<'SQL'
CREATE TEMP VIEW t AS
  SELECT c.oid, c.relname AS name FROM pg_class c
  WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
    AND c.relname <> 'schema_migrations';

SELECT 'table ' || name FROM t;

SELECT 'column ' || t.name || ' ' ||
       lpad((row_number() OVER (PARTITION BY t.name ORDER BY a.attnum) - 1)::text, 2, '0') || ' ' ||
       a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
       CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
       CASE WHEN a.attgenerated <> '' THEN ' generated'
            WHEN a.attidentity <> '' THEN ''
            WHEN d.adbin IS NOT NULL THEN ' default ' ||
                 regexp_replace(pg_get_expr(d.adbin, d.adrelid),
                                '::(text|bigint|integer|numeric|double precision)$', '')
            ELSE '' END
FROM t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
ORDER BY t.name, a.attnum;

SELECT CASE con.contype WHEN 'p' THEN 'primary key ' ELSE 'unique ' END || t.name || ' (' ||
       (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n) || ')'
FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype IN ('p', 'u');

SELECT 'foreign key ' || t.name || ' (' ||
       (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n) || ') -> ' ||
       ref.relname || ' (' ||
       (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) || ')'
FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f'
JOIN pg_class ref ON ref.oid = con.confrelid;

SELECT 'checks ' || t.name || ' ' ||
       (SELECT count(*) FROM pg_constraint con WHERE con.conrelid = t.oid AND con.contype = 'c')
FROM t;

SELECT 'index ' || t.name || ' ' || ic.relname ||
       CASE WHEN i.indisunique THEN ' unique' ELSE '' END ||
       CASE WHEN i.indpred IS NOT NULL THEN ' partial' ELSE '' END || ' (' ||
       (SELECT string_agg(coalesce(a.attname, '<expr>'), ',' ORDER BY k.i)
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, i)
        LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n AND k.n > 0
        WHERE k.i <= i.indnkeyatts) || ')'
FROM t JOIN pg_index i ON i.indrelid = t.oid JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                  AND con.conrelid = t.oid);

SELECT 'trigger ' || t.name || ' ' || tg.tgname
FROM t JOIN pg_trigger tg ON tg.tgrelid = t.oid AND NOT tg.tgisinternal;
SQL

LC_ALL=C sort "$work/sqlite.raw" >"$work/sqlite.txt"
printf '%s\n' "${pg_only_triggers[@]}" | LC_ALL=C sort >"$work/pg_only.txt"
LC_ALL=C sort "$work/pg.raw" | LC_ALL=C comm -23 - "$work/pg_only.txt" >"$work/pg.txt"

differences=$(diff "$work/sqlite.txt" "$work/pg.txt" | grep -E '^[<>]' || true)
if [[ -n $differences ]]; then
  printf '%s\n' "$differences"
  echo "schema-compare: $(printf '%s\n' "$differences" | wc -l) differing lines" >&2
  exit 1
fi
echo "schema-compare: the same $(grep -c '^table ' "$work/sqlite.txt") tables," \
  "$(grep -c '^column ' "$work/sqlite.txt") columns, $(grep -c '^index ' "$work/sqlite.txt") indexes," \
  "$(grep -c '^trigger ' "$work/sqlite.txt") triggers"
