"""Publishing: the static site (HTML) and the printable PDFs, built from loaded offices."""
