"""The mixed load of issue 24: residents, officers, an admin and the push worker together, driven
by Locust at a steady rate (docs/performance.md, "The traffic model")."""
