-- Helpers for the row checks of DESIGN section 3. Each chk_* returns NULL when the raw text is
-- fine, or a problem struct naming the column, the value found and what was expected.
CREATE OR REPLACE MACRO problem(col, raw, expected) AS
    {'column': col, 'value': raw, 'expected': expected, 'other_row': NULL::BIGINT};

CREATE OR REPLACE MACRO blank(raw) AS raw IS NULL OR trim(raw) = '';

CREATE OR REPLACE MACRO problems(candidates) AS list_filter(candidates, lambda p: p IS NOT NULL);

CREATE OR REPLACE MACRO chk_required(col, raw, what) AS
    CASE WHEN blank(raw) THEN problem(col, raw, what || ' (required, found nothing)') END;

-- An id holding a control, bidirectional or zero-width character could pose as another id (U+202E
-- shows "rtl<U+202E>gnp.exe" as "rtlexe.png") or carry a terminal sequence. The same characters as
-- dashboard/params.py neutralise() makes visible (tests/test_rules_once.py compares the two).
CREATE OR REPLACE MACRO has_invisible(raw) AS
    regexp_matches(raw, '[\x00-\x1f\x7f-\x{9f}\x{61c}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2060}\x{2066}-\x{2069}\x{feff}]');
CREATE OR REPLACE MACRO chk_id(col, raw, what) AS coalesce(chk_required(col, raw, what), CASE
    WHEN has_invisible(raw) THEN problem(col, raw, 'is not usable as ' || what
        || ': it holds a control, bidirectional or zero-width character (shown as \x.. or \u....), '
        || 'which could make it look like another id')
END);

-- Strict whole numbers: DuckDB's cast would round '1.5' to 2 and accept '1e3'.
CREATE OR REPLACE MACRO is_int_text(raw) AS regexp_full_match(trim(raw), '[+-]?[0-9]{1,18}');
CREATE OR REPLACE MACRO parse_int_rule(raw) AS CASE WHEN is_int_text(raw) THEN CAST(trim(raw) AS BIGINT) END;
-- Each parse_* below is its *_rule plus a fast path for the plain form almost every value has,
-- giving the same result (tests compare the two on thousands of mangled values): at ten million
-- rows every trim or substr of the rule costs about a third of a second.
CREATE OR REPLACE MACRO parse_int(raw) AS CASE
    WHEN regexp_full_match(raw, '[0-9]{1,18}') THEN CAST(raw AS BIGINT)
    ELSE parse_int_rule(raw)
END;

CREATE OR REPLACE MACRO chk_int(col, raw, optional) AS CASE
    WHEN blank(raw) THEN CASE WHEN NOT optional THEN problem(col, raw, 'a whole number (required, found nothing)') END
    WHEN NOT is_int_text(raw) THEN problem(col, raw, 'a whole number')
END;

CREATE OR REPLACE MACRO parse_num_rule(raw) AS TRY_CAST(trim(raw) AS DOUBLE);
-- The cast itself skips surrounding white space, so no trim is needed.
CREATE OR REPLACE MACRO parse_num(raw) AS TRY_CAST(raw AS DOUBLE);

CREATE OR REPLACE MACRO chk_number(col, raw, optional) AS CASE
    WHEN blank(raw) THEN CASE WHEN NOT optional THEN problem(col, raw, 'a number (required, found nothing)') END
    WHEN parse_num(raw) IS NULL THEN problem(col, raw, 'a number')
    WHEN NOT isfinite(parse_num(raw)) THEN problem(col, raw, 'a finite number (not NaN or infinity)')
END;

-- FLOP counts: finite, > 0, and not a log10 value typed by mistake.
CREATE OR REPLACE MACRO chk_flop(col, raw, optional) AS coalesce(chk_number(col, raw, optional), CASE
    WHEN blank(raw) THEN NULL
    WHEN parse_num(raw) <= 0 THEN problem(col, raw, 'a FLOP count greater than 0')
    WHEN parse_num(raw) < 1e6 THEN problem(col, raw,
        'a FLOP count of at least 1e6; this looks like log10 FLOP (a unit mistake): write 3e24, not 24.5')
END);

-- Public estimates may be tiny and real (a 1960 perceptron: 6,600 FLOP): finite and > 0 only.
CREATE OR REPLACE MACRO chk_positive(col, raw, optional) AS coalesce(chk_number(col, raw, optional), CASE
    WHEN NOT blank(raw) AND parse_num(raw) <= 0 THEN problem(col, raw, 'a FLOP count greater than 0')
END);

-- The contract's vocabularies (DESIGN section 3), each written once here; tests/test_rules_once.py
-- checks them against dashboard/reference.py, the Python side's single source.
CREATE OR REPLACE MACRO surfaces() AS ['api', 'cloud', 'consumer', 'enterprise', 'internal'];
CREATE OR REPLACE MACRO deployment_statuses() AS ['onboarding', 'active', 'paused', 'ended'];
CREATE OR REPLACE MACRO model_statuses() AS ['training', 'evaluating', 'deployed', 'retired'];
CREATE OR REPLACE MACRO derivations() AS ['pretrain', 'fine-tune', 'distillation', 'snapshot', 'other'];
CREATE OR REPLACE MACRO safeguard_kinds() AS ['deployment', 'security'];
CREATE OR REPLACE MACRO evaluation_kinds() AS ['comprehensive', 'preliminary'];
CREATE OR REPLACE MACRO outcomes() AS ['below_threshold', 'triggered', 'inconclusive'];

CREATE OR REPLACE MACRO chk_enum(col, raw, allowed) AS CASE
    WHEN blank(raw) OR NOT list_contains(allowed, trim(raw))
    THEN problem(col, raw, 'one of ' || array_to_string(allowed, ', '))
END;

CREATE OR REPLACE MACRO chk_bool(col, raw) AS CASE
    WHEN NOT blank(raw) AND lower(trim(raw)) NOT IN ('true', 'false') THEN problem(col, raw, 'true or false')
END;

CREATE OR REPLACE MACRO parse_bool(raw) AS CASE lower(trim(raw)) WHEN 'true' THEN true WHEN 'false' THEN false END;

-- Dates may be written as timestamps; timestamps without a zone are UTC (the session runs in UTC).
-- The zone-aware cast is five times slower, so it runs only for text with a zone after the time.
CREATE OR REPLACE MACRO has_zone(raw) AS
    length(trim(raw)) > 19 AND (contains(substr(trim(raw), 12), '+') OR contains(substr(trim(raw), 12), '-')
                                OR upper(trim(raw)) LIKE '%Z');
-- DuckDB also reads words ('epoch', 'infinity', '-infinity') and unpadded dates ('2025-1-5') as
-- dates: only text that starts like YYYY-MM-DD is parsed at all.
CREATE OR REPLACE MACRO iso_start(raw) AS
    substr(trim(raw), 5, 1) = '-' AND substr(trim(raw), 8, 1) = '-' AND substr(trim(raw), 1, 1) BETWEEN '0' AND '9';
CREATE OR REPLACE MACRO parse_ts_rule(raw) AS CASE
    WHEN NOT iso_start(raw) THEN NULL
    WHEN has_zone(raw) THEN CAST(TRY_CAST(trim(raw) AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)
    ELSE TRY_CAST(trim(raw) AS TIMESTAMP)
END;
-- The fast paths take text for which the rules only cast: ISO-shaped (a digit, then '-' in the 5th and
-- 8th characters), nothing to trim (a digit first, no space last) and no room for a zone (19 bytes
-- at most). LIKE and ascii() cost a fifth of a GLOB spelling out every digit.
CREATE OR REPLACE MACRO plain_iso(raw) AS
    strlen(raw) <= 19 AND raw LIKE '____-__-__%' AND ascii(raw) BETWEEN 48 AND 57 AND NOT suffix(raw, ' ');
CREATE OR REPLACE MACRO parse_ts(raw) AS CASE
    WHEN plain_iso(raw) THEN TRY_CAST(raw AS TIMESTAMP)
    ELSE parse_ts_rule(raw)
END;
CREATE OR REPLACE MACRO parse_date_rule(raw) AS CASE
    -- A timestamp with a zone is a date in UTC (the date cast would keep the local date).
    WHEN iso_start(raw) AND has_zone(raw) THEN CAST(parse_ts_rule(raw) AS DATE)
    WHEN iso_start(raw) THEN coalesce(TRY_CAST(trim(raw) AS DATE), CAST(parse_ts_rule(raw) AS DATE))
END;
CREATE OR REPLACE MACRO parse_date(raw) AS CASE
    WHEN plain_iso(raw) THEN coalesce(TRY_CAST(raw AS DATE), CAST(TRY_CAST(raw AS TIMESTAMP) AS DATE))
    ELSE parse_date_rule(raw)
END;

CREATE OR REPLACE MACRO chk_date(col, raw, optional) AS CASE
    WHEN blank(raw) THEN CASE WHEN NOT optional THEN problem(col, raw, 'an ISO-8601 date YYYY-MM-DD (required, found nothing)') END
    WHEN parse_date(raw) IS NULL THEN problem(col, raw, 'an ISO-8601 date YYYY-MM-DD')
END;

CREATE OR REPLACE MACRO chk_ts(col, raw, optional) AS CASE
    WHEN blank(raw) THEN CASE WHEN NOT optional THEN problem(col, raw, 'an ISO-8601 timestamp (required, found nothing)') END
    WHEN parse_ts(raw) IS NULL THEN problem(col, raw, 'an ISO-8601 timestamp such as 2025-03-01T12:00:00')
END;

-- A date or time after the publish time (publish_time.sql) is a typing mistake, not data: it would
-- move the snapshot's "now". Clocks of two machines may disagree a little: one day is tolerated.
CREATE OR REPLACE MACRO published_at() AS CAST(getvariable('ingest_published_at') AS TIMESTAMP);
CREATE OR REPLACE MACRO latest_allowed() AS published_at() + INTERVAL 1 DAY;
CREATE OR REPLACE MACRO is_future(parsed) AS parsed > latest_allowed();
CREATE OR REPLACE MACRO chk_not_future(col, raw, parsed) AS CASE
    WHEN is_future(parsed) THEN problem(col, raw,
        'is after the time of this ingest (' || strftime(published_at(), '%Y-%m-%d %H:%M')
        || ' UTC, one day of clock difference allowed): a date in the future is a mistake')
END;

CREATE OR REPLACE MACRO parse_list_rule(raw) AS
    list_filter(list_transform(string_split(coalesce(raw, ''), ';'), lambda item: trim(item)), lambda item: item <> '');
CREATE OR REPLACE MACRO parse_list(raw) AS CASE
    WHEN contains(raw, ' ') THEN parse_list_rule(raw)
    ELSE list_filter(string_split(coalesce(raw, ''), ';'), lambda item: item <> '')
END;

CREATE OR REPLACE MACRO clean_text_rule(raw) AS nullif(trim(raw), '');
CREATE OR REPLACE MACRO clean_text(raw) AS CASE
    WHEN raw = '' OR prefix(raw, ' ') OR suffix(raw, ' ') THEN clean_text_rule(raw) ELSE raw
END;
