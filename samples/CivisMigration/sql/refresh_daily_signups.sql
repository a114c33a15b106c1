-- Civis SQL script "Refresh daily signups", moved as it was.
-- Script parameters: {{ schema }} (warehouse schema), {{ since }} (first day to rebuild),
-- {{ refreshed_at }} (when the workflow started).

CREATE TABLE IF NOT EXISTS {{ schema }}.daily_signups (
    signup_date  DATE        NOT NULL,
    source       VARCHAR(64) NOT NULL,
    signups      INTEGER     NOT NULL,
    verified     INTEGER     NOT NULL,
    refreshed_at TIMESTAMP   NOT NULL
);

-- Rebuild only the days the pull covered; older days stay as they were.
DELETE FROM {{ schema }}.daily_signups
WHERE signup_date >= '{{ since }}';

INSERT INTO {{ schema }}.daily_signups (signup_date, source, signups, verified, refreshed_at)
SELECT CAST(signed_up_at AS DATE)                         AS signup_date,
       COALESCE(NULLIF(TRIM(source), ''), 'unknown')      AS source,
       COUNT(*)                                           AS signups,
       SUM(CASE WHEN verified THEN 1 ELSE 0 END)          AS verified,
       CAST('{{ refreshed_at }}' AS TIMESTAMP)            AS refreshed_at
FROM {{ schema }}.raw_signups
WHERE signed_up_at >= '{{ since }}'
GROUP BY 1, 2;
