-- The contract's tables (DESIGN section 3) with the PostgreSQL types a lab's database would use:
-- bench/pgserver.py creates them in the current schema (search_path) and COPYs the CSV files in.
CREATE TABLE policies (policy_id text PRIMARY KEY, name text, eval_compute_multiple double precision,
                       buffer_multiple double precision, eval_interval_days integer, source text,
                       required_domains text);
CREATE TABLE asl_levels (asl_level integer PRIMARY KEY, name text, description text);
CREATE TABLE safeguards (safeguard_id text PRIMARY KEY, name text, kind text, description text);
CREATE TABLE asl_required_safeguards (asl_level integer, safeguard_id text);
CREATE TABLE models (model_id text PRIMARY KEY, name text, family text, parent_model_id text, derivation text,
                     asl_level integer, policy_id text, status text);
CREATE TABLE checkpoints (model_id text, step bigint, recorded_at timestamptz, training_flop double precision,
                          effective_compute double precision);
CREATE TABLE evaluations (eval_id text PRIMARY KEY, model_id text, step bigint, completed_at timestamptz,
                          domain text, kind text, target_asl_level integer, outcome text, score double precision,
                          trigger_score double precision, elicitation text);
CREATE TABLE customers (customer_id text PRIMARY KEY, name text, segment text, sector text, region text,
                        business_critical boolean);
CREATE TABLE deployments (deployment_id text PRIMARY KEY, model_id text, customer_id text, surface text,
                          use_case text, risk_domains text, status text, started_at date, ended_at date,
                          monthly_requests bigint);
CREATE TABLE deployment_safeguards (deployment_id text, safeguard_id text);
CREATE TABLE asl_history (model_id text, asl_level integer, effective_from date, reason text);
CREATE TABLE public_models (public_model_id text, name text, organization text, published_on date,
                            training_compute_flop double precision, base_model_name text, accessibility text,
                            source text);
CREATE TABLE obligations (obligation_id text PRIMARY KEY, name text, jurisdiction text, threshold_flop double precision,
                          measure text, clock text, deadline_days integer, applies_from date, source text,
                          deadline_hours integer, categories text);
CREATE TABLE obligation_records (obligation_id text, model_id text, done_on date, reference text);
