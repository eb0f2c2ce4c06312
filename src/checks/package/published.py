"""Where the package lives and how to cite it, written once: the descriptor's `x-published` (`repository`, the https
address of the public repository; `doi`, the DOI of the release). README.md, CITATION.cff and .zenodo.json agree with
it (a test holds them to it); the release README and the report view take it from here. Nothing is made up: where
an address is not set, every document says so in the words below."""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY = "x-published"
NO_REPOSITORY = "No public repository address is set yet."
NO_DOI = "No DOI has been minted yet: cite the version number."
#: An https address without spaces, quotes or markup: what may be shown and linked.
HTTPS = re.compile(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/+-]*)?", re.ASCII)
DOI = re.compile(r"10\.[0-9]{4,9}/[A-Za-z0-9._;()/:-]+", re.ASCII)


@dataclass(frozen=True)
class Published:
    repository: str | None
    doi: str | None

    @property
    def releases(self) -> str | None:
        """The page that lists the release downloads (GitHub's layout)."""
        return f"{self.repository.rstrip('/')}/releases" if self.repository else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    def download(self, tag: str, asset: str) -> str | None:
        """Where a release asset is downloaded from (tag v<version> publishes a release), if the repository is set."""
        return f"{self.releases}/download/{tag}/{asset}" if self.releases else None

    def lines(self) -> list[str]:
        """What a document says about where the package lives: the addresses, or that none is set."""
        repository = f"Repository: {self.repository} (downloads: {self.releases})" if self.repository else NO_REPOSITORY
        return [repository, f"DOI: {self.doi} ({self.doi_url})" if self.doi else NO_DOI]


def published(descriptor: dict) -> Published:
    """The descriptor's addresses; a value that is not a plain https URL (or a DOI) counts as not set."""
    entry = descriptor.get(KEY)
    entry = entry if isinstance(entry, dict) else {}
    repository, doi = entry.get("repository"), entry.get("doi")
    return Published(
        repository if isinstance(repository, str) and HTTPS.fullmatch(repository) else None,
        doi if isinstance(doi, str) and DOI.fullmatch(doi) else None,
    )
