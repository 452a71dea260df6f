"""Not code: marks this folder as the package `mockserver.bundled.specs` (pyproject.toml), so it ships in the wheel."""
