CREATE TABLE typed_asl_levels AS
SELECT row_index,
       parse_int(asl_level) AS asl_level,
       clean_text(name) AS name,
       clean_text(description) AS description,
       problems([chk_int('asl_level', asl_level, false)]) AS problems
FROM raw_asl_levels;
