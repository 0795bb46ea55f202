"""Check python-shim/sidewheel/_pep.py against PEP 440/508 vectors.

    python check_pep.py VECTORS.json [PATH/TO/_pep.py]

Prints one JSON object: the interpreter, per-category case counts, and the first
mismatches (each with its category, input and what was expected and got). Exit
status is 0 whether or not cases disagree; the caller judges. Runs on CPython 3.8+.
"""

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEP = os.path.join(HERE, "..", "..", "python-shim", "sidewheel", "_pep.py")
MAX_REPORTED = 40
SET_KEYS = ("extras", "dependency_groups")


def load_pep(path):
    # By path, so a half-written sidewheel/__init__.py elsewhere cannot get in the way;
    # as a submodule of its package directory, because _pep imports its siblings.
    package_dir = os.path.dirname(os.path.abspath(path))
    spec = importlib.util.spec_from_file_location(
        "sidewheel_under_test", os.path.join(package_dir, "__init__.py"), submodule_search_locations=[package_dir])
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    return importlib.import_module(spec.name + "." + os.path.splitext(os.path.basename(path))[0])


class Checker:
    def __init__(self, pep, environments):
        self.pep = pep
        self.environments = [
            {k: (frozenset(v) if k in SET_KEYS else v) for k, v in env.items()} for env in environments
        ]
        self.counts = {}
        self.mismatches = []
        self.total_mismatches = 0

    def record(self, category, case, expected, got):
        self.counts[category] = self.counts.get(category, 0) + 1
        if expected != got:
            self.total_mismatches += 1
            if len(self.mismatches) < MAX_REPORTED:
                self.mismatches.append({"category": category, "case": case, "expected": expected, "got": got})

    def attempt(self, fn):
        """fn(), or {"error": True} for one of _pep's documented errors.

        Anything else _pep raises is a bug, reported by name so it cannot pass.
        """
        pep = self.pep
        documented = (pep.InvalidVersion, pep.InvalidSpecifier, pep.InvalidRequirement, pep.InvalidMarker,
                      pep.UndefinedComparison, pep.UndefinedEnvironmentName)
        try:
            return fn()
        except documented as exc:
            return {"error": True, "class": type(exc).__name__}
        except Exception as exc:  # noqa: BLE001
            return {"error": "unexpected %s: %s" % (type(exc).__name__, exc)}

    # ---- categories

    def versions(self, cases):
        pep = self.pep
        for case in cases:
            def describe(text=case["in"]):
                v = pep.Version(text)
                return {
                    "in": text, "valid": True, "str": str(v), "public": v.public, "base": v.base_version,
                    "epoch": str(v.epoch), "release": [str(x) for x in v.release],
                    "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
                    "post": None if v.post is None else str(v.post),
                    "dev": None if v.dev is None else str(v.dev), "local": v.local,
                    "isPre": v.is_prerelease, "isPost": v.is_postrelease, "isDev": v.is_devrelease,
                }
            got = self.attempt(describe)
            if got.get("class") == "InvalidVersion":
                got = {"in": case["in"], "valid": False}
            self.record("versions", case["in"], case, got)

    def compare(self, cases):
        V = self.pep.Version
        for a, b, expected in cases:
            def cmp(a=a, b=b):
                va, vb = V(a), V(b)
                order = (va > vb) - (va < vb)
                # Equal versions must hash alike and agree on every operator.
                consistent = (va == vb) == (order == 0) and (va <= vb) == (order <= 0) and (
                    order != 0 or hash(va) == hash(vb))
                return order if consistent else "inconsistent"
            self.record("compare", [a, b], expected, self.attempt(cmp))

    def specifiers(self, cases):
        pep = self.pep
        for case in cases:
            def describe(text=case["in"]):
                s = pep.SpecifierSet(text)
                n = len(s)
                return {"in": text, "valid": True, "str": str(s), "len": n, "prereleases": s.prereleases}
            got = self.attempt(describe)
            if got.get("class") == "InvalidSpecifier":
                got = {"in": case["in"], "valid": False}
            self.record("specifiers", case["in"], case, got)

    def contains(self, cases):
        pep = self.pep
        for case in cases:
            spec, version, pre, expected = case[:4]
            opts = case[4] if len(case) > 4 else {}

            def run(spec=spec, version=version, pre=pre, opts=opts):
                item = pep.Version(version) if opts.get("asVersion") else version
                return pep.SpecifierSet(spec).contains(item, prereleases=pre, installed=opts.get("installed"))
            self.record("contains", case, expected, self.attempt(run))

    def filter(self, cases):
        pep = self.pep
        for spec, items, pre, expected in cases:
            def run(spec=spec, items=items, pre=pre):
                kept = pep.SpecifierSet(spec).filter(items, prereleases=pre)
                return positions(items, kept)
            self.record("filter", [spec, items, pre], expected, self.attempt(run))

    def and_(self, cases):
        pep = self.pep
        for a, b, expected in cases:
            self.record("and", [a, b], expected, self.attempt(lambda a=a, b=b: str(pep.SpecifierSet(a) & pep.SpecifierSet(b))))

    def evaluate_all(self, marker):
        out = []
        for env in self.environments:
            got = self.attempt(lambda env=env: bool(marker.evaluate(env)))
            out.append(errors_only(got))
        return out

    def markers(self, cases):
        pep = self.pep
        for case in cases:
            def describe(text=case["in"]):
                m = pep.Marker(text)
                return {"in": text, "str": str(m), "eval": self.evaluate_all(m)}
            got = self.attempt(describe)
            self.record("markers", case["in"], expected_form(case, case["in"]), got_form(got, case["in"]))

    def requirements(self, cases):
        pep = self.pep
        for case in cases:
            def describe(text=case["in"]):
                r = pep.Requirement(text)
                rec = {
                    "in": text, "name": r.name, "extras": sorted(r.extras), "specifier": str(r.specifier),
                    "url": r.url, "marker": None if r.marker is None else str(r.marker), "str": str(r),
                }
                if r.marker is not None:
                    rec["eval"] = self.evaluate_all(r.marker)
                return rec
            got = self.attempt(describe)
            self.record("requirements", case["in"], expected_form(case, case["in"]), got_form(got, case["in"]))

    def names(self, cases):
        for name, expected in cases:
            self.record("names", name, expected, self.pep.canonicalize_name(name))


def errors_only(got):
    """Which documented error it was does not matter: packaging's classes are not all ours."""
    if isinstance(got, dict) and got.get("error") is True:
        return {"error": True}
    return got


def expected_form(rec, text):
    """packaging's record with any exception as the one outcome "error"."""
    if "error" in rec:
        return {"in": text, "error": True}
    if "eval" in rec:
        rec = dict(rec, eval=[{"error": True} if isinstance(r, dict) else r for r in rec["eval"]])
    return rec


def got_form(rec, text):
    """Ours, alike; an unexpected exception keeps its description, so it cannot match."""
    if "error" in rec:
        return {"in": text, "error": rec["error"]}
    return rec


def positions(items, kept):
    out, i = [], 0
    for k in kept:
        while items[i] != k:
            i += 1
        out.append(i)
        i += 1
    return out


def main():
    vectors_path = sys.argv[1]
    pep_path = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_PEP
    with open(vectors_path, encoding="utf-8") as fh:
        vectors = json.load(fh)
    checker = Checker(load_pep(pep_path), vectors["environments"])
    for category in ("versions", "compare", "specifiers", "contains", "filter", "markers", "requirements", "names"):
        getattr(checker, category)(vectors.get(category, []))
    checker.and_(vectors.get("and", []))
    json.dump(
        {
            "python": sys.version.split()[0],
            "implementation": sys.implementation.name,
            "oracle": vectors.get("oracle"),
            "counts": checker.counts,
            "total": sum(checker.counts.values()),
            "mismatchCount": checker.total_mismatches,
            "mismatches": checker.mismatches,
        },
        sys.stdout,
        ensure_ascii=True,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
