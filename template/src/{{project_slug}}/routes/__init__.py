"""One router per use case; ``api.create_app`` includes them."""
