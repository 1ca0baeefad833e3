"""Options of the `factcheck` MkDocs plugin (mkdocs.yml: plugins: - factcheck: ...)."""

from mkdocs.config import base
from mkdocs.config import config_options as c


class PlacesLabel(base.Config):
    singular = c.Type(str, default="")
    plural = c.Type(str, default="")


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
    # What readers call the article's places, in the site's language (City/Cities,
    # Country/Countries, Topic/Topics); empty means the catalogue's word for "place".
    places_label = c.SubConfig(PlacesLabel)
    # The URL folder of place pages: places/<slug>/ by default.
    places_folder = c.Type(str, default="places")
    # A folder of templates beside mkdocs.yml that override ours by file name (claim.md.j2, ...).
    templates_dir = c.Type(str, default="templates")
    # An Open Graph image per claim (claims/<id>.png), drawn at build time.
    share_images = c.Type(bool, default=True)
