"""Training: models learned from the dev annotations, shipped as small files in the package."""
