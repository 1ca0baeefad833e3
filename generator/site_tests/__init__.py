"""Tests every site made by `init` runs (`pytest --pyargs <package>.site_tests`, from the site's
folder): the facts are valid, the site builds --strict, and each claim page carries what readers,
search engines and aggregators rely on. They read their expectations from the site's own facts,
so they hold for any article."""
