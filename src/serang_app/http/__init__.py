"""HTTP behaviour shared by every route: errors, request ids, limits, the OpenAPI document."""
