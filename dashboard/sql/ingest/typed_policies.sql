CREATE TABLE typed_policies AS
SELECT row_index,
       clean_text(policy_id) AS policy_id,
       clean_text(name) AS name,
       parse_num(eval_compute_multiple) AS eval_compute_multiple,
       parse_num(buffer_multiple) AS buffer_multiple,
       parse_num(eval_interval_days) AS eval_interval_days,
       clean_text(source) AS source,
       -- DESIGN 3: the capability domains a round must cover to be clean (empty: no requirement).
       list_distinct(parse_list(required_domains)) AS required_domains,
       problems([
           chk_id('policy_id', policy_id, 'a policy id'),
           coalesce(chk_number('eval_compute_multiple', eval_compute_multiple, false),
                    CASE WHEN parse_num(eval_compute_multiple) <= 1
                         THEN problem('eval_compute_multiple', eval_compute_multiple, 'a multiple greater than 1') END),
           coalesce(chk_number('buffer_multiple', buffer_multiple, true),
                    -- Compared only with a valid eval_compute_multiple: one mistake is reported once.
                    CASE WHEN isfinite(parse_num(eval_compute_multiple)) AND parse_num(eval_compute_multiple) > 1
                              AND parse_num(buffer_multiple) <= parse_num(eval_compute_multiple)
                         THEN problem('buffer_multiple', buffer_multiple,
                                      'empty, or greater than eval_compute_multiple (' || trim(eval_compute_multiple) || ')') END),
           coalesce(chk_number('eval_interval_days', eval_interval_days, true),
                    CASE WHEN parse_num(eval_interval_days) <= 0
                         THEN problem('eval_interval_days', eval_interval_days, 'empty, or a number of days greater than 0') END),
           CASE WHEN has_invisible(required_domains)
                THEN problem('required_domains', required_domains,
                             'empty, or capability domains separated by ";" (such as cbrn;cyber), without control, '
                             || 'bidirectional or zero-width characters') END
       ]) AS problems
FROM raw_policies;
