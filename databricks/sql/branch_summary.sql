-- Daily revenue per branch, by Nepal calendar day (UTC+05:45), from the hourly gold windows.
-- Job parameter :catalog names the Unity Catalog catalog (IDENTIFIER keeps it a name, never SQL text).
USE CATALOG IDENTIFIER(:catalog);

CREATE OR REPLACE TABLE gold.branch_daily_summary
COMMENT 'Revenue, orders and items per branch and Nepal calendar day'
AS
SELECT
  CAST(from_utc_timestamp(window_start, 'Asia/Kathmandu') AS DATE) AS nepal_date,
  branch,
  CAST(SUM(revenue) AS DECIMAL(18, 2)) AS revenue,
  SUM(orders) AS orders,
  SUM(items) AS items,
  CAST(ROUND(SUM(revenue) / NULLIF(SUM(orders), 0), 2) AS DECIMAL(18, 2)) AS avg_order_value,
  current_timestamp() AS refreshed_at
FROM gold.branch_revenue
GROUP BY 1, 2;
