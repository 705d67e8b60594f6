-- Read one table of the source schema. Only identifiers are filled in, each quoted by
-- dashboard/ingest/postgres/ (quote_ident rules): the contract's columns (a column
-- whose type Arrow would not carry as the contract's text is converted by PostgreSQL: arrays
-- joined with ';', other types cast to text), then "schema"."table". No value is ever formatted in.
SELECT {columns} FROM {table}
