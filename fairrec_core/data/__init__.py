"""Data layer: CSV reading, column roles, validation, the indexed Dataset, splits."""

from fairrec_core.data.dataset import Dataset, Recommendations
from fairrec_core.data.loading import (
                                      LoadOutcome,
                                      build_dataset,
                                      load_dataset,
                                      read_files,
)
from fairrec_core.data.reading import MAX_UPLOAD_BYTES, RawTable, read_csv
from fairrec_core.data.schema import (
                                      FILE_KINDS,
                                      ColumnMapping,
                                      detect_roles,
                                      likely_sensitive,
                                      parse_mapping_args,
)
from fairrec_core.data.split import Split, filter_min_counts, split_dataset
from fairrec_core.data.summary import DataSummary, summarize
from fairrec_core.data.validation import Issue, ValidationReport

__all__ = [
    "FILE_KINDS", "MAX_UPLOAD_BYTES", "ColumnMapping", "DataSummary", "Dataset", "Issue",
    "LoadOutcome", "RawTable", "Recommendations", "Split", "ValidationReport",
    "build_dataset", "detect_roles", "filter_min_counts", "likely_sensitive",
    "load_dataset", "parse_mapping_args", "read_csv", "read_files", "split_dataset",
    "summarize",
]
