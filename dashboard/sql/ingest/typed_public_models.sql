CREATE TABLE typed_public_models AS
SELECT row_index,
       clean_text(public_model_id) AS public_model_id,
       clean_text(name) AS name,
       clean_text(organization) AS organization,
       parse_date(published_on) AS published_on,
       parse_num(training_compute_flop) AS training_compute_flop,
       clean_text(base_model_name) AS base_model_name,
       clean_text(accessibility) AS accessibility,
       clean_text(source) AS source,
       problems([
           chk_id('public_model_id', public_model_id, 'a public model id'),
           chk_date('published_on', published_on, true),
           chk_not_future('published_on', published_on, parse_date(published_on)),
           chk_positive('training_compute_flop', training_compute_flop, true)
       ]) AS problems
FROM raw_public_models;
