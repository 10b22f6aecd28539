from enum import StrEnum


class ExporterBodyKind(StrEnum):
    CONFLUENCE = "confluence"
    GOOGLE_DOCS = "google_docs"

    def __str__(self) -> str:
        return str(self.value)
