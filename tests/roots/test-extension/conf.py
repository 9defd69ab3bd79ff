# A project whose own extension teaches the mdx builder a node.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

extensions = ["myst_parser", "sphinx_astro_mdx", "badge_extension"]
myst_enable_extensions = ["colon_fence"]
language = "ru"
exclude_patterns = ["_build"]
