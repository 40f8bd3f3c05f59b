"""Provider accounts of each organisation: stored as data (secrets sealed), managed by admins
through the CLI, the API and the console, tested with a real provider call, and turned into
each organisation's channels by `gateway.registry`."""
