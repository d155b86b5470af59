from initlint.faces.cli import main

if __name__ == "__main__":  # spawned workers (macOS, Windows) import this module too
    raise SystemExit(main())
