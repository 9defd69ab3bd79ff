"""A tiny extension with two inline nodes of its own: ``badge`` has an MDX
form (registered with app.add_node), ``stamp`` has none."""

from docutils import nodes


class badge(nodes.Inline, nodes.TextElement):
    pass


class stamp(nodes.Inline, nodes.TextElement):
    pass


def badge_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [badge(rawtext, text)], []


def stamp_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [stamp(rawtext, text)], []


def visit_badge_mdx(self, node):
    # Bold text in the page, built with the translator's tree API.
    self.append(self.new("strong", node, children=[{"type": "text", "value": node.astext()}]))
    raise nodes.SkipNode


def visit_badge_html(self, node):
    self.body.append(f"<strong>{self.encode(node.astext())}</strong>")
    raise nodes.SkipNode


def setup(app):
    app.add_node(badge, mdx=(visit_badge_mdx, None), html=(visit_badge_html, None))
    app.add_node(stamp)
    app.add_role("badge", badge_role)
    app.add_role("stamp", stamp_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
