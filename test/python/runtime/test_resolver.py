"""sidewheel.require() / resolve(): selection rule, dependencies, markers,
extras, backtracking, pre-releases, conflicts and their messages."""

import textwrap
import unittest

from swhelper import EnvTestCase

# Scripts print one JSON line: the resolution as [name, version, is_default]
# rows, or the error class name and message.
PRELUDE = """
import json, sys, sidewheel
def show(fn, *args):
    try:
        dists = fn(*args)
    except sidewheel.ResolutionError as e:
        return [type(e).__name__, str(e)]
    return [[d.name, d.version, d.is_default] for d in dists]
"""


def script(body):
    return PRELUDE + textwrap.dedent(body)


class ResolverTestCase(EnvTestCase):
    def default(self, name, version, **kw):
        return self.env.install_default(self.env.wheel(name, version, **kw))

    def side(self, name, version, format="directory", **kw):
        return self.env.install_side(self.env.wheel(name, version, **kw), format=format)

    def resolve(self, *requirements, **kw):
        """sidewheel.resolve(requirements) in a child, after running ``before``."""
        return self.env.check(PRELUDE + kw.get("before", "") + "\nprint(json.dumps(show("
                              "lambda: sidewheel.resolve(%r))))" % (list(requirements),))


class Selection(ResolverTestCase):
    def test_default_when_it_satisfies(self):
        self.default("foo", "2.0")
        self.side("foo", "3.0")
        self.assertEqual(self.resolve("foo>=1"), [["foo", "2.0", True]])

    def test_highest_side_version_otherwise(self):
        self.default("foo", "2.0")
        for v in ("1.0", "1.5", "3.0"):
            self.side("foo", v)
        self.assertEqual(self.resolve("foo<2"), [["foo", "1.5", False]])
        self.assertEqual(self.resolve("foo>2"), [["foo", "3.0", False]])

    def test_names_compare_normalized(self):
        self.default("Foo.Bar", "2.0", files={"foobar/__init__.py": ""})
        self.side("foo_bar", "1.0", files={"foobar/__init__.py": ""})
        self.assertEqual(self.resolve("FOO-bar<2"), [["foo_bar", "1.0", False]])
        self.assertEqual(self.resolve("foo.BAR"), [["Foo.Bar", "2.0", True]])

    def test_distribution_objects(self):
        self.default("foo", "2.0")
        side = self.side("foo", "1.0")
        out = self.env.check("""
            import json, sidewheel, sys
            d, = sidewheel.resolve(['foo'])
            s, = sidewheel.resolve('foo<2')
            print(json.dumps([[x.name, x.version, x.location, x.is_default] for x in (d, s)]))
        """)
        self.assertEqual(out, [["foo", "2.0", self.env.purelib, True], ["foo", "1.0", side, False]])

    def test_resolve_does_not_activate_require_does(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        out = self.env.check("""
            import json, sidewheel, sys
            before = list(sys.path)
            sidewheel.resolve(['foo<2'])
            same = sys.path == before
            active = sidewheel.require('foo<2')
            import foo
            print(json.dumps([same, foo.__version__, [d.version for d in active]]))
        """)
        self.assertEqual(out, [True, "1.0", ["1.0"]])

    def test_import_that_failed_before_activation_works_after(self):
        self.side("bar", "1.0")
        self.side("baz", "1.0", format="zip")
        out = self.env.check("""
            import json, sidewheel, importlib.metadata as md
            failed = []
            for name in ('bar', 'baz'):
                try:
                    __import__(name)
                except ImportError:
                    failed.append(name)
                try:
                    md.version(name)
                except md.PackageNotFoundError:
                    failed.append(name)
            sidewheel.require(['bar', 'baz'])  # a list in one argument
            import bar, baz
            print(json.dumps([failed, bar.__version__, baz.__version__, md.version('baz')]))
        """)
        self.assertEqual(out, [["bar", "bar", "baz", "baz"], "1.0", "1.0", "1.0"])

    def test_requires_python_of_side_versions(self):
        self.default("foo", "2.0")
        self.side("foo", "1.5", requires_python=">=99")
        self.side("foo", "1.0", requires_python=">=3")
        self.assertEqual(self.resolve("foo<2"), [["foo", "1.0", False]])
        kind, message = self.resolve("foo==1.5")
        self.assertEqual(kind, "DistributionNotFound")
        self.assertIn("side 1.5: requires Python >=99", message)

    def test_missing_on_disk(self):
        import shutil

        self.default("foo", "2.0")
        shutil.rmtree(self.side("foo", "1.0"))
        kind, message = self.resolve("foo<2")
        self.assertEqual(kind, "DistributionNotFound")
        self.assertIn("side 1.0: is missing on disk", message)

    def test_requirement_markers_on_roots(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.assertEqual(self.resolve('foo<2; python_version < "3"'), [])


class PreReleases(ResolverTestCase):
    def test_only_when_nothing_final_fits_or_asked_for(self):
        self.default("foo", "2.0")
        self.side("foo", "3.0b1")
        self.assertEqual(self.resolve("foo>2"), [["foo", "3.0b1", False]])
        self.assertEqual(self.resolve("foo>=2"), [["foo", "2.0", True]])
        self.assertEqual(self.resolve("foo>=3.0b1"), [["foo", "3.0b1", False]])
        self.side("foo", "2.5")
        self.assertEqual(self.resolve("foo>2"), [["foo", "2.5", False]])
        self.assertEqual(self.resolve("foo>=3.0a1"), [["foo", "3.0b1", False]])

    def test_prerelease_default_that_satisfies_stays(self):
        # Issue 7: pip says "already satisfied" for an installed pre-release
        # that satisfies the specifier, so the default is kept.
        self.default("foo", "2.0b1")
        self.side("foo", "1.5")
        self.assertEqual(self.resolve("foo>=1.0"), [["foo", "2.0b1", True]])
        self.assertEqual(self.resolve("foo"), [["foo", "2.0b1", True]])
        self.assertEqual(self.resolve("foo>=2.0b1"), [["foo", "2.0b1", True]])
        self.assertEqual(self.resolve("foo<2"), [["foo", "1.5", False]])

    def test_prerelease_side_version_still_loses_to_a_final_release(self):
        self.default("foo", "1.0")
        self.side("foo", "2.0b1")
        self.side("foo", "1.5")
        self.assertEqual(self.resolve("foo>1"), [["foo", "1.5", False]])

    def test_prerelease_default_alone_is_used(self):
        self.default("foo", "2.0b1")
        self.assertEqual(self.resolve("foo"), [["foo", "2.0b1", True]])


class Dependencies(ResolverTestCase):
    def test_followed_and_activated(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.side("bar", "1.0", requires=["foo<2"])
        out = self.env.check(script("""
            r = show(sidewheel.require, 'bar')
            import foo, bar
            print(json.dumps([r, foo.__version__, bar.__version__]))
        """))
        self.assertEqual(out, [[["bar", "1.0", False], ["foo", "1.0", False]], "1.0", "1.0"])

    def test_markers_evaluated_for_this_interpreter(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.default("baz", "1.0")
        self.side("bar", "1.0", requires=['foo<2; python_version < "3"', 'baz; python_version >= "3"'])
        self.assertEqual(self.resolve("bar"), [["bar", "1.0", False], ["baz", "1.0", True]])

    def test_extras(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.side("bar", "1.0", extras=["fast"], requires=['foo<2; extra == "fast"'])
        self.assertEqual(self.resolve("bar"), [["bar", "1.0", False]])
        self.assertEqual(self.resolve("bar[fast]"), [["bar", "1.0", False], ["foo", "1.0", False]])
        self.assertEqual(self.resolve("bar[Fast]"), [["bar", "1.0", False], ["foo", "1.0", False]])
        # An extra asked for later still brings its dependencies.
        self.assertEqual(self.resolve("bar", "bar[fast]"), [["bar", "1.0", False], ["foo", "1.0", False]])

    def test_unknown_extra_refused_by_require_and_resolve_warned_by_explain(self):
        # Issue 7: app[nosuch] was silently dropped.  pip warns "app 1.0 does
        # not provide the extra 'nosuch'"; a program asking for it is refused.
        self.side("app", "1.0", extras=["fast"], requires=['foo; extra == "fast"'])
        self.default("foo", "2.0")
        message = "app 1.0 does not provide the extra 'nosuch' (app[nosuch] required by %s)"
        self.assertEqual(self.resolve("app[nosuch]"), ["ResolutionError", message % "resolve()"])
        self.assertEqual(self.resolve("app[Fast]"), [["app", "1.0", False], ["foo", "2.0", True]])
        out = self.env.check(script("""
            r = show(sidewheel.require, 'app[fast,nosuch]')
            from sidewheel import _resolve
            print(json.dumps([r, [[d.name, why] for d, why in _resolve.explain(["app[nosuch]"])],
                              any(p.endswith('.whl') for p in sys.path)]))
        """))
        self.assertEqual(out[0], ["ResolutionError", message.replace("app[", "app[fast,") % "require()"])
        self.assertEqual(out[1], [["app", "side: highest version satisfying app[nosuch] (required by resolve()); "
                                          "no default version; warning: " + message % "resolve()"]])
        self.assertFalse(out[2])  # nothing activated

    def test_unparsable_requires_dist_is_reported_not_skipped(self):
        # Issue 7: a Requires-Dist line that is not PEP 508 was skipped, so
        # app 1.0 was activated without a dependency it declares.
        self.side("app", "1.0", requires=["foo >>> 1", "bar"])
        kind, message = self.resolve("app")
        self.assertEqual(kind, "DistributionNotFound")
        self.assertIn("side 1.0: has an invalid Requires-Dist 'foo >>> 1' (Expected ", message)
        # Another version that can be read is used, and resolve's reasons say why.
        self.side("app", "0.9")
        self.assertEqual(self.resolve("app"), [["app", "0.9", False]])
        out = self.env.check(script("""
            from sidewheel import _resolve
            print(json.dumps([why for d, why in _resolve.explain(["app"])]))
        """))
        self.assertIn("side 1.0 has an invalid Requires-Dist 'foo >>> 1'", out[0])

    def test_default_dependencies_come_from_metadata(self):
        self.default("app", "1.0", requires=["lib>=2"])
        self.default("lib", "1.0")
        self.side("lib", "2.5")
        self.assertEqual(self.resolve("app"), [["app", "1.0", True], ["lib", "2.5", False]])

    def test_cycles(self):
        self.side("a", "1.0", requires=["b"])
        self.side("b", "1.0", requires=["a==1.0"])
        self.assertEqual(self.resolve("a"), [["a", "1.0", False], ["b", "1.0", False]])


class Backtracking(ResolverTestCase):
    def test_side_version_whose_dependencies_fail(self):
        self.default("lib", "1.5")
        self.side("app", "2.0", requires=["lib>=2"])
        self.side("app", "1.0", requires=["lib<2"])
        self.assertEqual(self.resolve("app"), [["app", "1.0", False], ["lib", "1.5", True]])

    def test_giving_up_a_default(self):
        # The default app needs lib>=2, which the later root lib<2 rules out:
        # app must fall back to a side version that accepts lib<2.
        self.default("app", "2.0", requires=["lib>=2"])
        self.default("lib", "1.5")
        self.side("lib", "2.0")
        self.side("app", "1.0", requires=["lib<2"])
        self.assertEqual(self.resolve("app", "lib<2"), [["app", "1.0", False], ["lib", "1.5", True]])

    def test_unsatisfiable_after_backtracking(self):
        self.default("lib", "1.5")
        self.side("app", "2.0", requires=["lib>=2"])
        self.side("app", "1.0", requires=["lib>=3"])
        kind, message = self.resolve("app")
        self.assertEqual(kind, "DistributionNotFound")
        self.assertIn("lib 1.5 (default) does not satisfy lib>=2 required by app 2.0", message)


class Conflicts(ResolverTestCase):
    def test_message_names_both_sides_and_who_asked(self):
        self.default("foo", "2.0")
        self.side("foo", "1.5")
        self.side("bar", "1.0", requires=["foo<2"])
        kind, message = self.resolve("bar==1.0", "foo>=2")
        self.assertEqual(kind, "VersionConflict")
        self.assertIn("foo 2.0 (default) does not satisfy foo<2 required by bar 1.0", message)
        self.assertIn("side 1.5: does not satisfy foo>=2 required by resolve()", message)

    def test_requires_message(self):
        self.default("foo", "2.0")
        self.side("foo", "1.5", requires_python=">=99")
        out = self.env.run("""
            __requires__ = 'foo<2'
            try:
                import foo
            except ImportError as e:
                print(e)
        """)
        self.assertEqual(out.stdout.strip(), "foo 2.0 (default) does not satisfy foo<2 required by "
                         "__main__.__requires__; no side version of foo satisfies foo<2 required by "
                         "__main__.__requires__ (side 1.5: requires Python >=99)")

    def test_not_installed(self):
        kind, message = self.resolve("nothing-here>=1")
        self.assertEqual(kind, "DistributionNotFound")
        self.assertEqual(message, "no version of nothing-here is installed "
                                  "(nothing-here>=1 required by resolve())")

    def test_module_already_imported_from_the_default(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        kind, message = self.resolve("foo<2", before="import foo")
        self.assertEqual(kind, "VersionConflict")
        self.assertIn("side 1.0: cannot be activated: module 'foo' is already imported from", message)
        # Not imported: fine; already imported but satisfying: fine.
        self.assertEqual(self.resolve("foo<2"), [["foo", "1.0", False]])
        self.assertEqual(self.resolve("foo>1", before="import foo"), [["foo", "2.0", True]])

    def test_active_side_version_is_pinned(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.side("foo", "1.5")
        out = self.env.check(script("""
            first = show(sidewheel.require, 'foo<1.2')
            again = show(sidewheel.require, 'foo<2')
            other = show(sidewheel.require, 'foo==1.5')
            default = show(sidewheel.require, 'foo==2.0')
            import foo
            print(json.dumps([first, again, other[0], default[0], foo.__version__, default[1]]))
        """))
        self.assertEqual(out[:5], [[["foo", "1.0", False]], [["foo", "1.0", False]],
                                   "VersionConflict", "VersionConflict", "1.0"])
        self.assertIn("foo 2.0 (default) cannot be used: foo 1.0 (side) is already active", out[5])

    def test_invalid_requirement(self):
        kind, message = self.resolve("foo >>> 1")
        self.assertEqual(kind, "ResolutionError")
        self.assertIn("invalid requirement 'foo >>> 1'", message)

    def test_damaged_index_is_mentioned(self):
        self.default("foo", "2.0")
        self.env.write_index("garbage")
        self.assertEqual(self.resolve("foo"), [["foo", "2.0", True]])
        kind, message = self.resolve("foo<2")
        self.assertIn("(note: sidewheel index", message)


class StartupHelpers(ResolverTestCase):
    """A default version's .pth imports a helper at start (setuptools'
    _distutils_hack); a side version shipping the same module still activates."""

    def setUp(self):
        ResolverTestCase.setUp(self)
        files = {"tool/__init__.py": "__version__ = '%s'\n", "tool_hack/__init__.py": "V = '%s'\n",
                 "tool-hack.pth": "import os; os.environ.get('NO_HACK') or __import__('tool_hack')\n"}
        self.default("tool", "2.0", files={k: v.replace("%s", "2.0") for k, v in files.items()})
        self.location = self.side("tool", "1.0", files={k: v.replace("%s", "1.0") for k, v in files.items()})

    def test_helper_kept_side_activated(self):
        out = self.env.check("""
            import sys, json
            at_start = 'tool_hack' in sys.modules
            __requires__ = 'tool<2'
            import tool, tool_hack, sidewheel
            d, = sidewheel.require('tool<2')
            print(json.dumps([at_start, tool.__version__, tool_hack.V, d.kept_modules]))
        """)
        self.assertEqual(out, [True, "1.0", "2.0", ["tool_hack"]])

    def test_helper_imported_by_the_program_is_a_conflict(self):
        out = self.env.check(script("""
            import tool_hack
            print(json.dumps(show(sidewheel.require, 'tool<2')))
        """), env={"NO_HACK": "1"})
        self.assertEqual(out[0], "VersionConflict")
        self.assertIn("module 'tool_hack' is already imported", out[1])


if __name__ == "__main__":
    unittest.main()
