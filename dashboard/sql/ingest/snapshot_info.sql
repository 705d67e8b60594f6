-- One row describing the snapshot. snapshot_date is the latest date in the data itself
-- (DESIGN section 4), so a link without an as-of date reads the same whenever it is opened.
-- snapshot_id names the file itself (DESIGN 11); content_hash is the whole hash its id starts from.
CREATE TABLE out.snapshot_info AS
SELECT CAST($published_at AS TIMESTAMP) AS published_at,
       CAST($source AS VARCHAR) AS source,
       CAST($dataset AS VARCHAR) AS dataset,
       CAST($row_counts AS VARCHAR) AS row_counts_json,
       CAST($notes AS VARCHAR) AS notes,
       -- Never after the day it is published: a deployment's planned start or end in the future
       -- (checkpoints and evaluations in the future are refused) does not move the snapshot's "now".
       (SELECT CASE WHEN latest > CAST(CAST($published_at AS TIMESTAMP) AS DATE)
                    THEN CAST(CAST($published_at AS TIMESTAMP) AS DATE) ELSE latest END
        FROM (SELECT greatest(
            (SELECT max(day) FROM out.checkpoint_days),  -- the checkpoints' days, without reading ten million rows
            (SELECT max(CAST(completed_at AS DATE)) FROM out.evaluations),
            (SELECT max(started_at) FROM out.deployments),
            (SELECT max(ended_at) FROM out.deployments)) AS latest)) AS snapshot_date,
       CAST($snapshot_id AS VARCHAR) AS snapshot_id,
       CAST($content_hash AS VARCHAR) AS content_hash;
