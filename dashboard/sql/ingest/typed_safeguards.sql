CREATE TABLE typed_safeguards AS
SELECT row_index,
       clean_text(safeguard_id) AS safeguard_id,
       clean_text(name) AS name,
       clean_text(kind) AS kind,
       clean_text(description) AS description,
       problems([
           chk_id('safeguard_id', safeguard_id, 'a safeguard id'),
           chk_enum('kind', kind, safeguard_kinds())
       ]) AS problems
FROM raw_safeguards;
