"""Reusable customer-analytics modules (RFM, tiers, CLV, cohorts, churn, satisfaction, A/B tests, ROI, data quality, privacy)."""
