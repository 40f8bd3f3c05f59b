"""Conversation: polls (consultations), moderation of free text, and answers to citizens'
questions. Models, services, API router, console views and tasks of the domain live here; the
understanding itself (poll answers, classifier, retrieval) is pure, in `inbound/`."""
