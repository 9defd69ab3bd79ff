# A documentation site made with Astro Starlight (tests/starlight-site):
# the same builder, another site profile.
extensions = ["myst_parser", "sphinxcontrib.mermaid", "sphinx_astro_mdx"]
myst_enable_extensions = ["colon_fence"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
myst_disable_syntax = ["html_inline", "html_block"]
language = "en"
exclude_patterns = ["_build"]
mdx_site = "starlight"
mdx_site_base = "/handbook"
# Starlight builds its sidebar from the pages themselves: no toctree lists them.
suppress_warnings = ["toc.not_included"]
