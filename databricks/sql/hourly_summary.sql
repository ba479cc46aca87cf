-- Sales by Nepal hour of day (the windows are aligned to Nepal hours: 15 minutes past the UTC hour).
USE CATALOG IDENTIFIER(:catalog);

CREATE OR REPLACE TABLE gold.hourly_profile
COMMENT 'Average and total sales per Nepal hour of day across the chain'
AS
SELECT
  hour(from_utc_timestamp(window_start, 'Asia/Kathmandu')) AS nepal_hour,
  COUNT(*) AS windows,
  CAST(SUM(revenue) AS DECIMAL(18, 2)) AS revenue,
  SUM(orders) AS orders,
  SUM(items) AS items,
  CAST(ROUND(SUM(revenue) / NULLIF(SUM(orders), 0), 2) AS DECIMAL(18, 2)) AS avg_order_value,
  CAST(ROUND(SUM(revenue) / COUNT(*), 2) AS DECIMAL(18, 2)) AS avg_revenue_per_window,
  current_timestamp() AS refreshed_at
FROM gold.hourly_sales
GROUP BY 1;
