"""The user's data: reading, validating and writing what lives under ``content/``.

``nodes`` parses YAML and JSON into nodes that keep their line and column;
``schema`` validates them into the frozen dataclasses of ``model``; ``ids``
makes and recognises share IDs and slugs; ``load`` reads a whole site (with a
memo for builds and a parse cache for the preview server); ``snapshot`` freezes,
digests and serialises shares; ``shares`` is the share lifecycle (share,
update, revoke); ``sensitive`` finds likely secrets and personal data.

May import: ``amber.errors``, ``amber.progress``, ``amber.atomic``, and itself.
Nothing here renders or builds.
"""
