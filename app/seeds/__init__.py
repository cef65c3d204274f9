"""Data that fills a database: reference data every install needs, and demo data."""
