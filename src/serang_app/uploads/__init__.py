"""Photos and documents: uploaded straight to storage, checked by the server before use."""
