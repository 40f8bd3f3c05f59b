"""Celery tasks, one module per area. Tasks take IDs only and are safe to run twice."""
