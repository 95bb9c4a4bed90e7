"""PDF documents the app writes: a Unicode font shipped with the package, and safe text."""
