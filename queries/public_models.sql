-- public_models: public reference models with a compute estimate, published up to the as-of date.
SELECT public_model_id, name, organization, published_on, training_compute_flop, accessibility, source
FROM public_models
WHERE training_compute_flop IS NOT NULL AND published_on IS NOT NULL AND published_on <= CAST($as_of AS DATE)
ORDER BY published_on
