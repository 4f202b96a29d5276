"""Stage package (see the commit after this one for its contents)."""
