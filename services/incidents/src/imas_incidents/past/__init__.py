"""Incidents that are over, recorded with the times they had (the demo's history, imports)."""
