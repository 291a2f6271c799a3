"""CLI command bodies: each module has add_arguments(parser) and run(args) -> int."""
