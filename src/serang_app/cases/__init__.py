"""Cases: one resident request of any module, with its workflow, timeline and SLA."""
