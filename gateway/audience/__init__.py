"""The audience: citizens and how they reach us (agent entry, paper forms, CSV import, SMS
keywords, online sign-up), their consents and opt-outs, and what we keep about them (GDPR)."""
