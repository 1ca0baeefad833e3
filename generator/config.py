"""Options of the `factcheck` MkDocs plugin (mkdocs.yml: plugins: - factcheck: ...)."""

from mkdocs.config import base
from mkdocs.config import config_options as c


class FactcheckConfig(base.Config):
    # Folder of fact files, relative to mkdocs.yml.
    facts_dir = c.Type(str, default="facts")
    # Where generated pages are cached between builds, relative to mkdocs.yml. A page's
    # cache file is rewritten only when its text changes, so `serve --dirty` skips it.
    cache_dir = c.Type(str, default=".cache/factcheck")
    # Path of the facts folder inside the repository, for "Edit this fact" links.
    facts_path = c.Type(str, default="facts")
    # Publish the open data (facts.json, claimreview.json, facts.csv, feed.xml) and the JSON Schemas.
    data_files = c.Type(bool, default=True)
    # Passages per page of the article walk-through: long articles get several pages, so one
    # edited claim rebuilds one page of passages, not all of them.
    passages_per_page = c.Type(int, default=100)
