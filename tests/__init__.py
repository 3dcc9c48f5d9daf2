"""amber's tests, one package rooted at the repository.

Every test module and helper then has one name (``tests.e2e.test_build``,
``tests.helpers.cli``): a helper imported two ways would otherwise load twice, as two
modules with two copies of its state.
"""
