"""The runtime's shortcuts for a cheap activation (INDEX.md section 4,
"Cost"), each against the slow path it must agree with: requirements parsed
without regular expressions against _pep, the compact index read project by
project against a whole-file parse, the C JSON scanner against json.loads, the
.dist-info search against a plain filter.  In-process: these are pure functions.
Plus, in a child, what an activation must not import."""

import itertools
import json
import sys
import textwrap
import unittest

from swhelper import SHIM, EnvTestCase, index_text

_dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
sys.path.insert(0, SHIM)
from sidewheel import _index, _installed, _json_scan, _pep, _specifiers  # noqa: E402

del sys.path[0]
sys.dont_write_bytecode = _dont_write

VERSIONS = ["0", "0.9", "1", "1.0", "1.0.0", "1.0.1", "1.1", "1.1.1", "1.2", "1.10", "2", "2.0", "2.0.0.0",
            "2.0.1", "2.1", "2.9", "3", "3.0", "10", "10.0.1",
            # not plain: _pep decides for these, the shortcut must agree
            "1.0rc1", "1.0a1", "1.0.dev1", "1.0.post1", "1.0+local", "2.0rc1", "2.0.post1", "2.0+x.1",
            "1!1.0", "1!2.0", "2.0.dev0", "1.1.post2.dev1", "3.0b2"]

FAST = [
    "foo", "Foo.Bar_baz-9", "foo<2", "foo <2", "foo< 2", "foo  >=  1.0 , < 2", "foo<=1.0", "foo>1",
    "foo>=1,<2", "foo==1.1", "foo==1", "foo==1.0.0", "foo!=1.0", "foo!=1.0,!=2.0", "foo==1.*", "foo==1.0.*",
    "foo!=1.*", "foo!=2.0.*,>1", "foo~=1.0", "foo~=1.0.1", "foo~=2.0,!=2.1", "foo~=01.00", "foo>=01.0",
    "foo==0.*", "foo<10", "foo\t>=\t1", "foo>=1.0,>=1.0", "a", "a1", "1a",
]
SLOW = [
    "foo[bar]", "foo[bar]>=1", "foo; python_version>'3'", "foo>=1; os_name == 'posix'",
    "foo @ https://example.com/foo.whl", "foo===1.0", "foo>=1.0rc1", "foo<2.0.post1", "foo==1.0+local",
    "foo>=1!1.0", "foo (>=1)", "foo>=v1", "foo<2,",
]
INVALID = [
    "", "-foo", "foo-", "foo.", "foo<", "foo<>1", "foo~=1", "foo==1..0", "foo==.1", "foo==1.", "foo<2,,<3",
    "foo bar", "foo>=1 2", "foo=1", "foo=>1", "foo <2 ;", "fo o", "foo<2 # comment", "foo>=1.0.*",
    "foo==1.*.0", "foo~=1.*", "foo>=1.*",
]


def same(test, text):
    """_pep.Requirement.parse(text) behaves as _pep.Requirement(text)."""
    ref = _pep.Requirement(text)
    got = _pep.Requirement.parse(text)
    test.assertEqual((got.name, got.url, got.extras, str(got.marker) if got.marker else None, str(got)),
                     (ref.name, ref.url, ref.extras, str(ref.marker) if ref.marker else None, str(ref)), text)
    test.assertEqual((str(got.specifier), len(got.specifier), got.specifier.prereleases),
                     (str(ref.specifier), len(ref.specifier), ref.specifier.prereleases), text)
    versions = [_pep.Version(v) for v in VERSIONS]
    for pre in (None, True, False):
        test.assertEqual(got.specifier.filter(versions, prereleases=pre),
                         ref.specifier.filter(versions, prereleases=pre), (text, pre))
        test.assertEqual(got.specifier.filter(VERSIONS, prereleases=pre),
                         ref.specifier.filter(VERSIONS, prereleases=pre), (text, pre))
    for v in VERSIONS:
        test.assertEqual(got.specifier.contains(v, prereleases=True),
                         ref.specifier.contains(v, prereleases=True), (text, v))
    return got


class Requirements(unittest.TestCase):
    def test_plain_requirements_skip_pep_parsing_and_agree(self):
        for text in FAST:
            got = same(self, text)
            self.assertTrue(all(isinstance(s, _specifiers._PlainSpecifier) for s in got.specifier._specs), text)

    def test_other_requirements_are_pep_parsed(self):
        for text in SLOW:
            same(self, text)
            self.assertIsNone(_specifiers.plain_specifier_set(text[3:]))

    def test_invalid_requirements_fail_as_in_pep(self):
        for text in INVALID:
            with self.assertRaises(_pep.InvalidRequirement, msg=text) as pep:
                _pep.Requirement(text)
            with self.assertRaises(_pep.InvalidRequirement, msg=text) as ours:
                _pep.Requirement.parse(text)
            self.assertEqual(str(ours.exception), str(pep.exception))

    def test_grid_of_plain_clauses(self):
        # Every operator on releases of one to three segments, alone and in pairs.
        ops = ["<", "<=", ">", ">=", "==", "!=", "~="]
        releases = ["0", "1", "1.0", "1.1", "2.0.0", "1.0.1", "10.2"]
        clauses = []
        for op, release in itertools.product(ops, releases):
            if op == "~=" and "." not in release:
                continue
            clauses.append(op + release)
            if op in ("==", "!="):
                clauses.append(op + release + ".*")
        for clause in clauses:
            same(self, "p" + clause)
        for a, b in itertools.islice(itertools.product(clauses, repeat=2), 0, None, 7):
            same(self, "p%s,%s" % (a, b))

    def test_requires_python(self):
        for text in (">=3.8", ">=3.8,<4", "~=3.10", "!=3.9.*,>=3", ">=3.8.0rc1", "==3.*"):
            self.assertEqual(
                (_specifiers.plain_specifier_set(text) or _pep.SpecifierSet(text)).contains("%d.%d.%d" % sys.version_info[:3], prereleases=True),
                _pep.SpecifierSet(text).contains("%d.%d.%d" % sys.version_info[:3], prereleases=True), text)


class DistInfos(unittest.TestCase):
    def check(self, names):
        expected = sorted(n for n in names if n[-10:].lower() == ".dist-info")
        self.assertEqual(_installed.dist_infos(set(names)), expected, names)
        self.assertEqual(_installed.dist_infos(list(names)), expected, names)

    def test_against_a_plain_filter(self):
        self.check([])
        self.check(["foo-1.0.dist-info"])
        self.check(["foo"])
        self.check(["foo-1.0.dist-info", "foo-1.0-py3-none-any.whl", "bar-2.DIST-INFO", "x.Dist-Info", "dist-info",
                    ".dist-info", "a.dist-info.bak", "b.dist-infox", "c.dist-info", "sidewheel.pth"])
        self.check(["İ.dist-info", "a.dist-info", "K"])      # lower() changes the length
        self.check(["a\nb.dist-info", "c.dist-info", "d"])   # a name with a newline
        self.check(["a.dist-info\n", "b.dist-info"])


def compact_projects():
    """An index whose project names collide with its own field names, and whose
    strings hold what the project search looks for."""
    projects = {}
    for name in ("format", "name", "projects", "side", "version", "wheel", "zz-last", "a"):
        key = _pep.canonicalize_name(name)
        projects[key] = {"name": name, "side": [{
            "version": v, "wheel": "%s-%s-py3-none-any.whl" % (name, v),
            "location": "/site/%s-%s-py3-none-any.whl" % (name, v), "format": "directory",
            "paths": ["/site/%s-%s-py3-none-any.whl" % (name, v)], "dist_info": "%s-%s.dist-info" % (name, v),
            "top_level": [name], "requires_dist": ['x; extra == "\\":{\\"name\\":"', '"a":{"name":"side"}'],
            "requires_python": None, "provides_extra": []} for v in ("2.0", "1.0")]}
    return {"format": "sidewheel-index", "version": 1, "projects": dict(sorted(projects.items()))}


def summary(projects):
    return {k: None if v is None else (v[0], [(d.version, d.location, d.requires) for d in v[1]])
            for k, v in projects.items()}


class CompactIndex(unittest.TestCase):
    def index(self, text):
        data = text.encode("utf-8") if isinstance(text, str) else text
        return _index.Index("/nowhere/index.json", data)

    def test_project_by_project_agrees_with_the_whole_file(self):
        data = compact_projects()
        text = index_text(data)
        fast = self.index(text)
        self.assertFalse(fast.complete)
        whole = self.index(index_text(data, "indented"))
        self.assertTrue(whole.complete)
        keys = list(data["projects"]) + ["missing", "proj", "nam"]
        for key in keys:
            got, want = fast.get(key), whole.get(key)
            self.assertEqual(summary({key: got}), summary({key: want}), key)
        self.assertFalse(fast.complete)  # nothing made it read the whole file
        self.assertIsNone(fast.error)
        self.assertEqual(summary(fast.all()), summary(whole.all()))

    def test_empty_index(self):
        index = self.index(index_text({"format": "sidewheel-index", "version": 1, "projects": {}}))
        self.assertFalse(index.complete)
        self.assertIsNone(index.get("foo"))
        self.assertEqual((index.all(), index.error), ({}, None))

    def test_truncated_text_is_never_read_project_by_project(self):
        text = index_text(compact_projects())
        for cut in range(len(text.rstrip())):
            index = self.index(text[:cut])
            self.assertIsNone(index.get("a"), cut)
            self.assertTrue(index.complete and index.error, cut)

    def test_a_damaged_entry_means_reading_and_judging_the_whole_file(self):
        data = compact_projects()
        del data["projects"]["side"]["side"][0]["location"]
        index = self.index(index_text(data))
        self.assertFalse(index.complete)
        self.assertIsNotNone(index.get("a"))  # not reached: not noticed
        self.assertIsNone(index.get("side"))
        self.assertTrue(index.complete)
        self.assertIn("unreadable (KeyError", index.error)
        self.assertEqual(index.all(), {})

    def test_not_utf8(self):
        data = index_text(compact_projects()).encode("utf-8").replace(b"/site/zz-last-2.0", b"/site/zz-l\xffst-2.0")
        index = self.index(data)
        self.assertIsNone(index.get("zz-last"))
        self.assertIn("UnicodeDecodeError", index.error)

    def test_a_project_whose_first_key_is_not_name(self):
        # Issue 7: the scan looked for "<key>":{"name": and returned nothing
        # for this project, where a full parse finds it.
        data = compact_projects()
        project = data["projects"]["side"]
        data["projects"]["side"] = {"side": project["side"], "name": project["name"]}
        text = index_text(data)
        whole = self.index(index_text(data, "indented"))
        for key in ("side", "a", "zz-last"):
            index = self.index(text)
            self.assertEqual(summary({key: index.get(key)}), summary({key: whole.get(key)}), key)
            self.assertIsNone(index.error)

    def test_an_object_the_cli_never_writes_inside_an_entry(self):
        data = compact_projects()
        data["projects"]["a"]["side"][0]["future"] = {"k": 1}
        index = self.index(index_text(data))
        whole = self.index(index_text(data, "indented"))
        self.assertEqual(summary({"a": index.get("a")}), summary({"a": whole.get("a")}))
        self.assertEqual(summary(index.all()), summary(whole.all()))

    def test_other_layouts_are_read_whole(self):
        for text in (index_text(compact_projects(), "indented"), " " + index_text(compact_projects()),
                     json.dumps(compact_projects(), separators=(",", ":"), sort_keys=True)):
            index = self.index(text)
            self.assertTrue(index.complete)
            self.assertIsNone(index.error)
            self.assertEqual(index.get("a")[0], "a")


JSON_DOCS = ['{}', '[]', ' {"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"]} \n', '"s"', '0',
             '{"a": {"b": {}}}', 'NaN', '[Infinity, -Infinity]', '{"k": "\\ud83d\\ude00"}', '\t[1]\r\n']


class Json(unittest.TestCase):
    def with_scanner(self, scanner):
        saved = list(_json_scan._scanner)
        _json_scan._scanner[:] = [scanner]
        self.addCleanup(_json_scan._scanner.__setitem__, slice(None), saved)

    def test_like_json_loads(self):
        for doc in JSON_DOCS:
            got, want = _json_scan.loads(doc), json.loads(doc)
            self.assertEqual(json.dumps(got), json.dumps(want), doc)

    def test_fast_path_in_use_where_there_is_a_c_scanner(self):
        try:
            import _json  # noqa: F401
        except ImportError:
            self.skipTest("no _json here (PyPy): the fallback is all there is")
        self.assertIsNotNone(_json_scan.c_scanner())

    def test_forced_fallback_gives_the_same_answers(self):
        self.with_scanner(_json_scan.python_scanner())
        for doc in JSON_DOCS:
            self.assertEqual(json.dumps(_json_scan.loads(doc)), json.dumps(json.loads(doc)), doc)
        text = index_text(compact_projects())
        fast = _index.Index("/nowhere/index.json", text.encode("utf-8"))
        self.assertEqual(summary({"a": fast.get("a")}), summary({"a": ("a", fast.all()["a"][1])}))

    def test_a_scanner_asking_for_hooks_we_never_heard_of(self):
        # CPython 3.15 reads ctx.array_hook; a later one may read another hook.
        context = _json_scan._ScanContext()
        self.assertIsNone(context.array_hook)
        self.assertIsNone(context.some_future_hook)
        with self.assertRaises(AttributeError):
            context.memo  # noqa: B018

    def test_a_scanner_that_reads_wrongly_is_not_used(self):
        import types

        fake = types.ModuleType("_json")
        fake.make_scanner = lambda context: (lambda text, position: ([], position + 2))
        saved = sys.modules.get("_json")
        sys.modules["_json"] = fake
        try:
            self.assertIsNone(_json_scan.c_scanner())
        finally:
            if saved is None:
                del sys.modules["_json"]
            else:
                sys.modules["_json"] = saved

    def test_errors_are_json_loads_errors(self):
        for doc in ('', '{', '{"a":1', '[1,]', '{"a" 1}', '[1] x', '\ufeff{}', '{"a": "\x01"}', "{'a': 1}"):
            with self.assertRaises(ValueError, msg=doc) as ours:
                _json_scan.loads(doc)
            with self.assertRaises(ValueError) as theirs:
                json.loads(doc)
            self.assertEqual(str(ours.exception), str(theirs.exception))


class InternalsWithFallbacks(EnvTestCase):
    """Each CPython internal the runtime leans on, forced off in a child:
    the answer must not change."""

    def test_finder_listing_is_the_directory_listing(self):
        self.env.install_default(self.env.wheel("foo", "2.0"))
        out = self.env.check("""
            import json, os, sys, foo
            from sidewheel import _installed
            same, used = True, 0
            for entry in sys.path:
                directory = entry or "."
                cached = _installed.finder_listing(entry, directory)
                if cached is not None:
                    used += 1
                    same = same and cached == set(os.listdir(directory))
            fast = _installed.Defaults(set()).get("foo")
            slow = _installed.Defaults(set(), cached=None).get("foo")
            print(json.dumps([same, used, sys.implementation.name, [fast.name, fast.version, fast.dist_info],
                              [slow.name, slow.version, slow.dist_info]]))
        """)
        same, used, implementation, fast, slow = out
        self.assertTrue(same)
        if implementation == "cpython":
            self.assertGreater(used, 0)  # the fast path is really taken
        self.assertEqual(fast, slow)

    def test_namespace_packages_without_the_epoch(self):
        self.env.install_default(self.env.wheel("nsp", "2.0", files={"nsp/a.py": "V = 'a'\n"}))
        self.env.install_side(self.env.wheel("nsp", "1.0", files={"nsp/b.py": "V = 'b'\n"}))
        code = """
            import json, sys, nsp.a, sidewheel
            from sidewheel import _activate
            if %r:
                _activate.refresh_namespace_paths = lambda external: None
            sidewheel.require("nsp==1.0")
            import nsp.b
            print(json.dumps([nsp.a.V, nsp.b.V, len(list(nsp.__path__))]))
        """
        self.assertEqual(self.env.check(code % False), ["a", "b", 2])
        self.assertEqual(self.env.check(code % True), ["a", "b", 2])

    def test_site_main_found_without_sys_getframe(self):
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.env.install_side(self.env.wheel("foo", "1.0"))
        code = """
            import json, sys
            if %r:
                del sys._getframe
            import site
            site.main()
            import foo
            from sidewheel import _hook
            print(json.dumps([foo.__version__, _hook.startup_modules is not None, "foo" in sys.modules]))
        """
        env = {"SIDEWHEEL_REQUIRES": "foo<2"}
        with_frames = self.env.check(code % False, flags=["-S"], env=env)
        self.assertEqual(with_frames, ["1.0", True, True])
        self.assertEqual(self.env.check(code % True, flags=["-S"], env=env), with_frames)


class WhatActivationImports(EnvTestCase):
    def test_no_re_json_sysconfig_or_metadata(self):
        # Importing re alone costs about as much as the rest of an activation.
        for i in range(3):
            self.env.install_default(self.env.wheel("p%d" % i, "2.0", requires_python=">=3.8"))
            for v in ("1.0", "1.5"):
                self.env.install_side(self.env.wheel("p%d" % i, v, requires_python=">=3.8"))
        probe = """
            import json as _j, sys
            print(_j.dumps(sorted(sys.modules)))
        """
        code = """
            __requires__ = ["p0<2", "p1~=1.0", "p2==1.*,!=1.5"]
            import p0, p1, p2, sys
            loaded = sorted(sys.modules)
            import json
            print(json.dumps([p0.__version__, p1.__version__, p2.__version__, loaded]))
        """
        before = set(self.env.check(probe))
        *versions, loaded = self.env.check(code)
        self.assertEqual(versions, ["1.5", "1.5", "1.0"])
        added = set(loaded) - before
        self.assertFalse(added & {"re", "json", "sysconfig", "importlib.metadata", "enum"}, sorted(added))

    def test_entry_points_whenever_importlib_metadata_is_imported(self):
        # 3.8/3.9: entry_points() is made to keep the first distribution of a
        # name at activation, or when importlib.metadata is imported later.
        self.env.install_default(self.env.wheel("foo", "2.0", entry_points="[foo.plugins]\np = foo:two\n"))
        self.env.install_side(self.env.wheel("foo", "1.0", entry_points="[foo.plugins]\np = foo:one\n"))
        show = """
            import json, sys
            def eps():
                if sys.version_info >= (3, 10):
                    return [ep.value for ep in md.entry_points(group="foo.plugins")]
                return [ep.value for ep in md.entry_points().get("foo.plugins", ())]
            print(json.dumps([eps(), md.version("foo"), type(md.__spec__.loader).__name__,
                              sys.modules["importlib.metadata"] is md]))
        """
        for before, after in (("import importlib.metadata as md", ""), ("", "import importlib.metadata as md"),
                              ("", "from importlib import metadata as md")):
            out = self.env.check(before + "\nimport sidewheel\nsidewheel.require('foo<2')\n" + after
                                 + textwrap.dedent(show))
            self.assertEqual(out, [["foo:one"], "1.0", "SourceFileLoader", True], (before, after))


if __name__ == "__main__":
    unittest.main()
