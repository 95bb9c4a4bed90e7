"""The compatibility policy for apps in the field: the current OpenAPI document against the last
released one (docs/api-compatibility.md)."""
