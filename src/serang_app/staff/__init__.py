"""Agency staff accounts: officers and supervisors of one OPD, and Diskominfosatik admins."""
