CREATE TABLE typed_evaluations AS
SELECT row_index,
       clean_text(eval_id) AS eval_id,
       clean_text(model_id) AS model_id,
       parse_int(step) AS step,
       parse_ts(completed_at) AS completed_at,
       clean_text(domain) AS domain,
       clean_text(kind) AS kind,
       parse_int(target_asl_level) AS target_asl_level,
       clean_text(outcome) AS outcome,
       parse_num(score) AS score,
       parse_num(trigger_score) AS trigger_score,
       clean_text(elicitation) AS elicitation,
       problems([
           chk_id('eval_id', eval_id, 'an evaluation id'),
           chk_required('model_id', model_id, 'a model id'),
           chk_int('step', step, false),
           chk_ts('completed_at', completed_at, false),
           chk_not_future('completed_at', completed_at, parse_ts(completed_at)),
           chk_required('domain', domain, 'a capability domain'),
           chk_enum('kind', kind, evaluation_kinds()),
           chk_int('target_asl_level', target_asl_level, false),
           chk_enum('outcome', outcome, outcomes()),
           chk_number('score', score, true),
           chk_number('trigger_score', trigger_score, true)
       ]) AS problems
FROM raw_evaluations;
