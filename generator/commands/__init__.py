"""One module per CLI verb; each registers its command on the typer app."""
