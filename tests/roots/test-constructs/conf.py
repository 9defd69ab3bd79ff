extensions = ["myst_parser", "sphinx.ext.doctest", "sphinxcontrib.mermaid", "sphinx_astro_mdx"]
myst_enable_extensions = ["colon_fence", "deflist", "tasklist", "linkify"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
myst_disable_syntax = ["html_inline", "html_block"]
language = "ru"
exclude_patterns = ["_build"]
mdx_external_lessons = ["module-1/05-python-consumer"]
# This root checks the chart handed to a site's Mermaid component (a
# template literal that must not interpolate); diagrams drawn at build time
# are checked by the test-diagrams root.
mdx_diagrams = "component"
