"""The escalation chain: who is told about an overdue case, after how many working days past its
due time, per agency as data with a default for every agency (docs/cases.md, "Escalation")."""
