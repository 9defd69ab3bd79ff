extensions = ["myst_parser", "sphinx.ext.doctest", "sphinxcontrib.mermaid", "sphinx_astro_mdx"]
myst_enable_extensions = ["colon_fence", "deflist", "tasklist"]
myst_fence_as_directive = ["mermaid"]
myst_disable_syntax = ["html_inline", "html_block"]
language = "ru"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build", "locale"]
