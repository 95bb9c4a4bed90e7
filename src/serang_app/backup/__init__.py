"""Backups an operator can restore into an empty environment: a logical dump of the database
(pg_dump's custom format) and a copy of every stored upload, in a folder or an S3 bucket.

Point-in-time recovery of production is pgBackRest's job (docs/deployment.md, "Backups and
restore"); this is the portable path: a restore drill, a move to new servers, a copy for a test.
"""
