"""Start-up failures as one line each: what went wrong, from the parent process, never a traceback."""
