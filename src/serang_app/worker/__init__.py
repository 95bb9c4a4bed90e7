"""Background work: runs in `serang-app worker`, or inside the web process in development."""
