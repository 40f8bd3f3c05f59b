"""CAP 1.2 (OASIS Common Alerting Protocol) in and out: the alerts an organisation emits when it
publishes, edits or cancels an announcement, the alerts it imports (files, the API, polled Atom
feeds), and the rules both obey (`cap12.xsd`, the spec's prose rules)."""
