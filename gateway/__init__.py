"""The Django project: models, API, routing, tasks, CLI. The only Django-aware package."""
