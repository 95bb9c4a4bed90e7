"""The deployment's identity: which government runs this service, as phones, letters and other
systems are told (docs/identity.md)."""
