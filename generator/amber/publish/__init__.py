"""``amber publish``: put the built site on a branch of another repository, with no history.

The private-source route keeps the content repository private and publishes
only ``output/`` to a public repository's Pages branch. Revoked shares must not
survive there, so each publish is one commit without parents, force-pushed: the
branch's reachable history is the current site and nothing else.

The stages, in the order a publish runs them:

- ``site_tree``: what is published, the files of an amber build (refused when
  the folder is missing or is not one);
- ``remote``: where it goes, a URL or a path, checked before git sees it and
  shown without credentials;
- ``orphan``: the commit, written by ``git fast-import`` into a temporary
  repository outside the site (same files, same moment, same commit ID), and
  the forced push.
"""
