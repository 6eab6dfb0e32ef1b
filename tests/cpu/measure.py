"""Measure which cells depend on the CPU: execute the notebooks under perturbations, record.

A cell is CPU-dependent when its outputs (text or images, by pixels) moved in some run on
other kernels than the stored outputs': a perturbation executed here (cpu.perturbations) or
a run recorded on another machine. Each notebook's record, tests/cpu/measured/<name>.json,
lists for every run which cells moved and what they printed; the ``cpu-dependent`` tags are
written from it (``tag``), and tests/cpu/test_measured.py checks that they are equal, and
that every claim holds for what every run printed.

    PYTHONPATH=tests python -m cpu.measure run                 # every notebook, every perturbation
    PYTHONPATH=tests python -m cpu.measure run --notebooks 06 --perturbations native-avx512
    PYTHONPATH=tests python -m cpu.measure recorded intel-sapphire-rapids DIR --says "..."
    PYTHONPATH=tests python -m cpu.measure tag                 # tags (and the docs' table)
    PYTHONPATH=tests python -m cpu.measure status              # what is measured, what holds
    PYTHONPATH=tests python -m cpu.measure simulate            # make test's cpu stage

``run`` is resumable: an executed notebook in the work folder whose code is the notebook's
is used again, and each record is updated after each execution.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from . import fingerprint, outputs
from .digest import code_digest
from .perturbations import BY_NAME, PERTURBATIONS
from .verdict import FROZEN_7F55268, REPOSITORY, TAG, Policy, cell_problems, tagged

ROOT = REPOSITORY.notebooks.parent
WORK = Path(tempfile.gettempdir()) / "softmax-lab-cpu-sweep"


def load_record(suite, notebook):
    path = suite.measured_of(notebook)
    return json.loads(path.read_text()) if path.exists() else None


def fresh_record(nb, notebook):
    return {
        "notebook": Path(notebook).name,
        "code": code_digest(nb),
        "stored_kernels": fingerprint.recorded(nb),
        "runs": {},
    }


def current_record(suite, notebook):
    """The notebook's record, or a new one if there is none or it measured other code."""
    nb = nbformat.read(notebook, as_version=4)
    record = load_record(suite, notebook)
    if record is not None and record["code"] != code_digest(nb):
        print(f"{Path(notebook).name}: its code changed; measuring it anew", flush=True)
        record = None
    elif record is not None and record["stored_kernels"] != fingerprint.recorded(nb):
        print(
            f"{Path(notebook).name}: its outputs were remade on other kernels; measuring it anew",
            flush=True,
        )
        record = None
    return nb, record or fresh_record(nb, notebook)


def save_record(suite, notebook, record):
    path = suite.measured_of(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def moved_cells(stored, run):
    """``{cell id: {"moved": [kinds], "text": what it printed}}`` of the cells that moved."""
    found = {}
    for cell, run_cell in zip(code_cells(stored), code_cells(run), strict=True):
        if cell.source != run_cell.source:
            raise ValueError(f"cell {cell.id}: the run executed other code")
        kinds = outputs.moved(cell.outputs, run_cell.outputs)
        if kinds:
            found[cell.id] = {"moved": sorted(kinds), "text": outputs.text_of(run_cell.outputs)}
    return found


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def without_lines(nb, pattern):
    """The notebook with the lines matching ``pattern`` removed from its stderr streams."""
    for cell in code_cells(nb):
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.text = re.sub(pattern, "", output.text, flags=re.MULTILINE)
        cell.outputs = [o for o in cell.outputs if o.output_type != "stream" or o.text]
    return nb


def measurement(stored, run, **about):
    """One run's entry in a record."""
    return {
        **about,
        "kernels_differ": fingerprint.differences(
            fingerprint.recorded(stored), fingerprint.recorded(run) or {}
        ),
        "cells": moved_cells(stored, run),
    }


def execute(notebook, perturbation, work, cached_only=False):
    """The notebook executed under ``perturbation`` (None: as it is), from ``work`` if done
    (None if not, with ``cached_only``)."""
    name = perturbation.name if perturbation else "none"
    done = work / name / Path(notebook).name
    source = nbformat.read(notebook, as_version=4)
    if done.exists() and code_digest(nbformat.read(done, as_version=4)) == code_digest(source):
        return nbformat.read(done, as_version=4)
    if cached_only:
        return None
    env = os.environ | (perturbation.env if perturbation else {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    prefix = perturbation.command_prefix() if perturbation else []
    partial = work / name / "partial"
    subprocess.run(
        [
            *prefix,
            sys.executable,
            str(ROOT / "tests/execute_notebooks.py"),
            "--output-dir",
            str(partial),
            str(notebook),
        ],
        env=env,
        check=True,
    )
    done.parent.mkdir(parents=True, exist_ok=True)
    (partial / done.name).replace(done)
    return nbformat.read(done, as_version=4)


def about_run(perturbation, stored):
    """What a run stands for, as its record says."""
    if perturbation:
        return {
            "stands_for": perturbation.stands_for,
            "env": perturbation.env,
            "cores": perturbation.cores,
            "opt_in": perturbation.opt_in,
        }
    if fingerprint.recorded(stored):
        return {"stands_for": "the stored outputs' kernels, run again (a control)"}
    return {
        "stands_for": "this machine as it is (the stored outputs were made on another, "
        "unrecorded CPU)",
        "recorded": True,
    }


def run(suite, notebooks, perturbations, work, cached_only=False):
    """Execute and record, perturbation by perturbation, one notebook at a time."""
    for perturbation in perturbations:
        for notebook in notebooks:
            stored, record = current_record(suite, notebook)
            name = perturbation.name if perturbation else "none"
            about = about_run(perturbation, stored)
            why_not = perturbation.unavailable() if perturbation else None
            if why_not:
                record["runs"][name] = {**about, "skipped": why_not}
            else:
                print(f"== {name}: {Path(notebook).name}", flush=True)
                executed = execute(notebook, perturbation, work, cached_only)
                if executed is None:
                    print("   not executed yet", flush=True)
                    continue
                if perturbation and perturbation.prints:
                    executed = without_lines(executed, perturbation.prints)
                stored, record = current_record(suite, notebook)  # as it is now, after minutes
                record["runs"][name] = measurement(stored, executed, **about)
            save_record(suite, notebook, record)
            if name in record["runs"] and not why_not:
                try:
                    report(stored, name, record["runs"][name], suite.claims_of(notebook))
                except ValueError as error:  # a claims file being edited: measure on
                    print(f"   claims not checked: {error}", flush=True)


def recorded(suite, name, folder, says):
    """Add the notebooks another machine executed (``folder``) as the run ``name``."""
    for notebook in sorted(suite.notebooks.glob("*.ipynb")):
        other = Path(folder) / notebook.name
        if not other.exists():
            continue
        stored, record = current_record(suite, notebook)
        executed = nbformat.read(other, as_version=4)
        if code_digest(executed) != record["code"]:
            print(f"{notebook.name}: {other} has other code; not recorded")
            continue
        record["runs"][name] = measurement(stored, executed, stands_for=says, recorded=True)
        report(stored, name, record["runs"][name], suite.claims_of(notebook))
        save_record(suite, notebook, record)


def measured_set(record):
    """The cells any run saw move: the ones that earn the cpu-dependent tag."""
    return {cell for entry in record["runs"].values() for cell in entry.get("cells", {})}


def claim_problems(nb, entry, claims):
    """``{cell id: problems}`` of one run's moved cells: its claims, and its printed text
    besides the numbers (what the record keeps of the run)."""
    dependent = frozenset(entry.get("cells", {}))
    policy = Policy(False, ("measured",), dependent, claims)
    found = {}
    cells = {cell.id: cell for cell in code_cells(nb)}
    for cell_id, moved in entry.get("cells", {}).items():
        as_text = [nbformat.v4.new_output("stream", name="stdout", text=moved["text"])]
        stored_text = [
            nbformat.v4.new_output(
                "stream", name="stdout", text=outputs.text_of(cells[cell_id].outputs)
            )
        ]
        problems = [
            p
            for p in cell_problems(policy, cells[cell_id], as_text)
            if p.startswith(("claim", "tagged"))
        ]
        problems += outputs.skeleton_differences(stored_text, as_text)
        if problems:
            found[cell_id] = problems
    return found


def report(nb, name, entry, claims):
    moved = entry.get("cells", {})
    print(
        f"   {name}: {len(moved)} cell(s) moved: "
        + ", ".join(f"{cell_id} ({'+'.join(m['moved'])})" for cell_id, m in moved.items())
    )
    for cell_id, problems in claim_problems(nb, entry, claims).items():
        for problem in problems:
            print(f"   {cell_id}: {problem}")


def tag(suite):
    """Write the cpu-dependent tags from the records (cell metadata only)."""
    for notebook in sorted(suite.notebooks.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        record = load_record(suite, notebook)
        if record is None or record["code"] != code_digest(nb):
            print(f"{notebook.name}: not measured (run `measure run` first); tags left as they are")
            continue
        dependent = measured_set(record)
        if tagged(nb) == dependent:
            continue
        for cell in code_cells(nb):
            tags = [t for t in cell.metadata.get("tags", []) if t != TAG]
            if cell.id in dependent:
                tags.append(TAG)
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)
        partial = notebook.with_name(f".{notebook.name}.partial")
        nbformat.write(nb, partial)
        partial.replace(notebook)  # whole, for a sweep reading it meanwhile
        print(f"{notebook.name}: tagged {sorted(dependent)}")


#: What a run's name says about the cause of a move: the library whose kernels it changed.
CAUSES = {
    "native": "oneDNN's and XLA's instruction set",
    "numpy": "NumPy's SIMD dispatch",
    "openblas": "OpenBLAS's kernels",
    "onednn-opts": "TensorFlow's oneDNN rewrites",
    "one-core": "the number of threads",
}
DOCS = ROOT / "docs/reproducibility.md"
TABLE_START, TABLE_END = "<!-- measured cells: start -->", "<!-- measured cells: end -->"


def cause(name, entry):
    if entry.get("recorded"):
        return f"another CPU ({name})"
    return next((why for prefix, why in CAUSES.items() if name.startswith(prefix)), name)


def table(suite):
    """The CPU-dependent cells as a Markdown table: what moved them, and so what they hang on."""
    rows = ["| notebook | code cell (id) | moved under | so it depends on |", "|---|---|---|---|"]
    for notebook in sorted(suite.notebooks.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        record = load_record(suite, notebook)
        if record is None:
            continue
        for i, cell in enumerate(code_cells(nb)):
            runs = {
                name: entry
                for name, entry in record["runs"].items()
                if cell.id in entry.get("cells", {})
            }
            if not runs:
                continue
            kinds = sorted(
                {kind for entry in runs.values() for kind in entry["cells"][cell.id]["moved"]}
            )
            causes = sorted({cause(name, entry) for name, entry in runs.items()})
            rows.append(
                f"| {notebook.stem} | {i} (`{cell.id}`, {' and '.join(kinds)}) | "
                f"{', '.join(sorted(runs))} | {'; '.join(causes)} |"
            )
    return "\n".join(rows)


OPT_IN_START, OPT_IN_END = "<!-- opt-in failures: start -->", "<!-- opt-in failures: end -->"


def opt_in_failures(suite):
    """Where a cell's claims or wording fail under an opt-in setting, as a Markdown list."""
    lines = []
    for notebook in sorted(suite.notebooks.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        record = load_record(suite, notebook)
        if record is None:
            continue
        index = {cell.id: i for i, cell in enumerate(code_cells(nb))}
        claims = suite.claims_of(notebook)
        for name, entry in sorted(record["runs"].items()):
            if entry.get("opt_in"):
                for cell_id, problems in claim_problems(nb, entry, claims).items():
                    lines.append(
                        f"- {notebook.stem}, code cell {index[cell_id]} (`{cell_id}`), "
                        f"`{name}`: {'; '.join(problems)}"
                    )
    return "\n".join(lines) or "- none"


def between(text, start, end):
    return text.split(start)[1].split(end)[0].strip()


def documented_table(path=DOCS):
    """The two generated blocks as docs/reproducibility.md has them."""
    text = path.read_text()
    return between(text, TABLE_START, TABLE_END), between(text, OPT_IN_START, OPT_IN_END)


def generated_table(suite):
    return table(suite), opt_in_failures(suite)


def write_table(suite, path=DOCS):
    text = path.read_text()
    for (start, end), block in zip(
        [(TABLE_START, TABLE_END), (OPT_IN_START, OPT_IN_END)], generated_table(suite), strict=True
    ):
        before, rest = text.split(start)
        text = f"{before}{start}\n{block}\n{end}{rest.split(end)[1]}"
    path.write_text(text)


def status(suite):
    for notebook in sorted(suite.notebooks.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        record = load_record(suite, notebook)
        if record is None or record["code"] != code_digest(nb):
            print(f"{notebook.name}: NOT MEASURED for its current code")
            continue
        runs = record["runs"]
        missing = [p.name for p in PERTURBATIONS if p.name not in runs]
        print(f"{notebook.name}: {len(runs)} run(s); not run: {', '.join(missing) or 'none'}")
        claims = suite.claims_of(notebook)
        index = {cell.id: i for i, cell in enumerate(code_cells(nb))}
        for name, entry in runs.items():
            moved = ", ".join(f"{index[c]} ({c})" for c in entry.get("cells", {}))
            print(f"  {name:22s} {entry.get('skipped') or ('moved: ' + (moved or 'nothing'))}")
            for cell_id, problems in claim_problems(nb, entry, claims).items():
                print(f"  {'':22s} cell {cell_id}: " + "; ".join(problems))
        untagged = measured_set(record) ^ tagged(nb)
        if untagged:
            print(f"  tags differ from the measurement in {sorted(untagged)}: run `measure tag`")


#: What make test runs under another CPU's kernels: the first of these this CPU can make.
#: AVX-512 kernels moved every cell here that moved on the Sapphire Rapids, and more.
SIMULATED = ("native-avx512", "native-sse4_2", "one-core")


def simulated_notebooks(suite, name):
    """The notebooks in which the run ``name`` moved cells and every claim and wording held."""
    chosen = []
    for path in sorted(suite.notebooks.glob("*.ipynb")):
        nb, record = nbformat.read(path, as_version=4), load_record(suite, path)
        entry = (record or {}).get("runs", {}).get(name, {})
        if entry.get("cells") and not claim_problems(nb, entry, suite.claims_of(path)):
            chosen.append(path)
    return chosen


def simulate(suite, names, pytest_args):
    """Strict nbval across CPUs under the first perturbation of ``names`` this CPU can make,
    on the notebooks whose cells it moved when measured: the fingerprint must see other
    kernels, the untagged cells must be exact, the claims must hold."""
    perturbation = next((BY_NAME[n] for n in names if not BY_NAME[n].unavailable()), None)
    if perturbation is None:
        print(
            "no other CPU can be simulated here: "
            + "; ".join(f"{n}: {BY_NAME[n].unavailable()}" for n in names)
            + ". (make nbval compares across CPUs wherever the fingerprint differs.)"
        )
        return 0
    paths = simulated_notebooks(suite, perturbation.name) or [
        path
        for path in sorted(suite.notebooks.glob("*.ipynb"))
        if tagged(nbformat.read(path, as_version=4))
    ]
    notebooks = [str(path.relative_to(ROOT)) for path in paths]
    env = os.environ | perturbation.env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests"), env.get("PYTHONPATH")]))
    command = [
        *perturbation.command_prefix(),
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "cpu.plugin",
        "--nbval-cpu",
        "--nbval-cpu-expect=other",
        "--nbval-current-env",
        *pytest_args,
        *notebooks,
    ]
    print(f"{perturbation.name} ({perturbation.stands_for}): {' '.join(notebooks)}", flush=True)
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


def notebook_paths(suite, numbers):
    """The notebooks by number, in the order given (default: all, in order)."""
    paths = sorted(suite.notebooks.glob("*.ipynb"))
    return [p for n in numbers for p in paths if p.name.split("_")[0] == n] if numbers else paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--frozen",
        action="store_true",
        help="measure the frozen 7f55268 notebooks (tests/data/cpu-7f55268)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_ = commands.add_parser("run", help="execute under perturbations and record")
    run_.add_argument(
        "--notebooks",
        type=lambda s: s.split(","),
        default=[],
        help="numbers, e.g. 03,05,06 (default: all)",
    )
    run_.add_argument(
        "--perturbations",
        type=lambda s: s.split(","),
        default=["none", *BY_NAME],
        help=f"default: none,{','.join(BY_NAME)}",
    )
    run_.add_argument("--work", type=Path, default=WORK, help=f"default: {WORK}")
    run_.add_argument(
        "--cached",
        action="store_true",
        help="record only the executions already in the work folder",
    )
    rec = commands.add_parser("recorded", help="add notebooks executed on another machine")
    rec.add_argument("name")
    rec.add_argument("folder", type=Path)
    rec.add_argument("--says", required=True, help="which machine, which software")
    sim = commands.add_parser("simulate", help="nbval across CPUs under another CPU's kernels")
    sim.add_argument("--perturbations", type=lambda s: s.split(","), default=list(SIMULATED))
    commands.add_parser(
        "tag",
        help="write the cpu-dependent tags from the records, and their "
        "table in docs/reproducibility.md",
    )
    commands.add_parser("status", help="what is measured, what moved, which claims fail")
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "simulate":
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    suite = FROZEN_7F55268 if args.frozen else REPOSITORY
    if args.command == "run":
        perturbations = [None if name == "none" else BY_NAME[name] for name in args.perturbations]
        run(suite, notebook_paths(suite, args.notebooks), perturbations, args.work, args.cached)
    elif args.command == "recorded":
        recorded(suite, args.name, args.folder, args.says)
    elif args.command == "simulate":
        return simulate(suite, args.perturbations, rest)
    elif args.command == "tag":
        tag(suite)
        if suite is REPOSITORY:
            write_table(suite)
    else:
        status(suite)


if __name__ == "__main__":
    sys.exit(main())
