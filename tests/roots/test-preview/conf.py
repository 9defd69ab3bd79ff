# The preview features on a small course: front matter panel, doctest output,
# Mermaid from node_modules. A copy of this root lives outside the
# repository, so tests pass preview_node_modules (-D or confoverrides).
extensions = ["myst_parser", "sphinx.ext.doctest", "sphinxcontrib.mermaid", "sphinx_astro_mdx", "sphinx_astro_mdx.preview"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
language = "ru"
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "Тестовый курс"
mdx_external_lessons = ["module-1/05-python-consumer"]
# The client-side Mermaid path of the preview (for sites that draw diagrams
# in the browser); the course's own preview shows diagrams drawn at build
# time (tests/test_browser.py, test_course_preview_in_the_browser).
mdx_diagrams = "component"
