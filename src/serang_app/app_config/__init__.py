"""The app's configuration: minimum versions per platform, a maintenance notice, feature switches."""
