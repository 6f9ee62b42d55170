"""``retrovue doctor``: one line per check of the installation, with a fix for each failure."""
