extensions = ["myst_parser", "sphinx.ext.doctest", "sphinxcontrib.mermaid", "sphinx_astro_mdx"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
myst_disable_syntax = ["html_inline", "html_block"]
language = "ru"
exclude_patterns = ["_build"]
