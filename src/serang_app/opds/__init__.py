"""Agencies (OPD, Organisasi Perangkat Daerah): the list every staff account and service belongs to."""
