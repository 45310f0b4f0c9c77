"""Deterministic sample data: an e-commerce database and the product metadata that aliases it."""
