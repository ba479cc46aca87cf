-- Daily product popularity by Nepal calendar day, with each item's rank within its category.
USE CATALOG IDENTIFIER(:catalog);

CREATE OR REPLACE TABLE gold.product_daily_summary
COMMENT 'Units, revenue and orders per menu item and Nepal calendar day, ranked within the category'
AS
WITH daily AS (
  SELECT
    CAST(from_utc_timestamp(window_start, 'Asia/Kathmandu') AS DATE) AS nepal_date,
    item_id,
    MIN(item_name) AS item_name,
    MIN(category) AS category,
    SUM(quantity) AS quantity,
    CAST(SUM(revenue) AS DECIMAL(18, 2)) AS revenue,
    SUM(orders) AS orders
  FROM gold.product_popularity
  GROUP BY 1, 2
)
SELECT
  daily.*,
  RANK() OVER (PARTITION BY nepal_date, category ORDER BY quantity DESC, revenue DESC) AS rank_in_category,
  current_timestamp() AS refreshed_at
FROM daily;
