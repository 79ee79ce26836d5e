"""Regenerate the parts of docs/ written from the source (parameter tables, schedule).

    python scripts/gen_docs.py          # rewrite the generated blocks in docs/
    python scripts/gen_docs.py --check  # change nothing; exit 1 naming any stale file

The blocks sit between ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->`` in docs/scenarios.md, docs/ODD.md (section 8) and
docs/architecture.md; the code is ``wingsim.devtools.docgen``.
"""

from __future__ import annotations

import sys

from wingsim.devtools.docgen import main

if __name__ == "__main__":
    sys.exit(main())
