"""HRIS import: read a CSV or XLSX export, map its columns to Cadre's fields, check every row,
show what would change, and apply it in one transaction.

The same functions serve the ``import-people`` command, the admin's import pages and the
background task. The package has one module per stage, each importing only from the ones
before it (reading → cells → mapping → planning → writing → execution → runs):

- ``reading``: :func:`read_table` turns the bytes of a file into a :class:`Table` of text
  cells, or raises :class:`ImportFileError` saying why it can't;
- ``cells``: the parsers that turn one cell's text into a field's value;
- ``mapping``: Cadre's :data:`FIELDS`; :func:`suggest_columns` guesses a
  :class:`ColumnMapping` from the file's headers, :func:`mapping_problems` says what doesn't
  fit, and :func:`import_mapping_save` keeps a mapping for next time;
- ``planning``: :func:`plan_import` checks every row against the mapping and the database and
  returns an :class:`ImportPlan` (creates, updates, unchanged, deactivations, errors). It
  never writes;
- ``writing``: :func:`apply_import` parses the rows, then plans against the database inside a
  transaction that holds the import lock, and writes the plan, or nothing; people it
  deactivates lose their logins;
- ``execution``: the ``import_run_apply`` task and :func:`import_run_execute`, which it runs:
  a confirmed :class:`ImportRun` is parsed, checked and written, with its progress saved;
- ``runs``: the other ``import_run_*`` functions move an :class:`ImportRun` through upload,
  mapping, preview and confirmation (which queues the task), and :func:`import_runs_prune`
  fails stuck and abandoned runs and deletes their files.

Speed matters (100,000 people in seconds): existing people are read in one query as tuples,
rows are checked in plain Python, and only changed rows and fields are written, in batches.
``docs/import.md`` describes the fields, formats and options for administrators.
"""

from cadre.people.importing.execution import (
    ImportFileGoneError,
    import_run_execute,
    import_run_mapping,
    import_run_table,
)
from cadre.people.importing.mapping import (
    FIELD_NAMES,
    FIELDS,
    ColumnMapping,
    ImportField,
    ImportMappingError,
    import_mapping_save,
    mapping_check,
    mapping_from_json,
    mapping_of,
    mapping_problems,
    saved_mapping,
    saved_mappings,
    suggest_columns,
)
from cadre.people.importing.planning import (
    DepartmentMove,
    FieldChange,
    ImportInvalidError,
    ImportPlan,
    Issue,
    PersonChange,
    plan_import,
)
from cadre.people.importing.reading import ImportFileError, Table, read_table
from cadre.people.importing.runs import (
    EDITABLE_STATUSES,
    ImportRunStateError,
    import_run_configure,
    import_run_confirm,
    import_run_create,
    import_run_fail_if_stuck,
    import_run_headers,
    import_run_issues,
    import_run_preview,
    import_runs_prune,
    recent_import_runs,
)
from cadre.people.importing.writing import ImportResult, apply_import

__all__ = [
    "EDITABLE_STATUSES",
    "FIELDS",
    "FIELD_NAMES",
    "ColumnMapping",
    "DepartmentMove",
    "FieldChange",
    "ImportField",
    "ImportFileError",
    "ImportFileGoneError",
    "ImportInvalidError",
    "ImportMappingError",
    "ImportPlan",
    "ImportResult",
    "ImportRunStateError",
    "Issue",
    "PersonChange",
    "Table",
    "apply_import",
    "import_mapping_save",
    "import_run_configure",
    "import_run_confirm",
    "import_run_create",
    "import_run_execute",
    "import_run_fail_if_stuck",
    "import_run_headers",
    "import_run_issues",
    "import_run_mapping",
    "import_run_preview",
    "import_run_table",
    "import_runs_prune",
    "mapping_check",
    "mapping_from_json",
    "mapping_of",
    "mapping_problems",
    "plan_import",
    "read_table",
    "recent_import_runs",
    "saved_mapping",
    "saved_mappings",
    "suggest_columns",
]
