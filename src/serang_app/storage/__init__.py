"""Object storage for uploads: S3-compatible in production, a local folder in development."""
