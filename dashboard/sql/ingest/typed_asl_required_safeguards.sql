CREATE TABLE typed_asl_required_safeguards AS
SELECT row_index,
       parse_int(asl_level) AS asl_level,
       clean_text(safeguard_id) AS safeguard_id,
       problems([
           chk_int('asl_level', asl_level, false),
           chk_required('safeguard_id', safeguard_id, 'a safeguard id')
       ]) AS problems
FROM raw_asl_required_safeguards;
