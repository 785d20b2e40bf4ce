"""The three routes by which footage reaches police, one module each."""
