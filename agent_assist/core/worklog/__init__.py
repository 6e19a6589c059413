"""The handle-time log: events, the outbox, sessions, durations, reports, retention, checklist
runs, acknowledgements and the one clock."""
