"""`python -m mcubench.results`: regenerate the committed results/schema.json."""

from mcubench.base.files import write_json
from mcubench.results.document import SCHEMA_PATH
from mcubench.results.entry import results_schema

write_json(SCHEMA_PATH, results_schema())
print(f"wrote {SCHEMA_PATH}")
