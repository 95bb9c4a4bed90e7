"""Open311 GeoReport v2 at /open311/v2: the standard other systems use to read and file
complaints (http://wiki.open311.org/GeoReport_v2), in JSON and XML."""
