"""Writes docs/workspace-keys.md from the key table in neurosys.workspace.keys
(tests/workspace/test_keys.py checks that the file is current)."""

from pathlib import Path

from neurosys.workspace import keys

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "workspace-keys.md"
    target.write_text(keys.markdown())
    print(f"wrote {target} ({len(keys.TABLE)} keys)")
