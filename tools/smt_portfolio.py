"""The SMT solver Halmos runs for `make halmos` (its `--solver-command`): yices and cvc5 race
on each query, and the first definite answer wins.

Why two: the accounting checks (foundry/AccountingSymbolic.t.sol) need two kinds of
reasoning. Bit-level identities (the parts of an award add up to the net modulo 2^256) are
instant for yices, which blasts them to bits, and out of reach for cvc5's integer encoding;
cancelling a constant (10,000 x a <= 10,000 x b, so a <= b) is instant for cvc5 once it
reads bit-vectors as bounded integers (`--solve-bv-as-int=sum`), and out of reach for yices
and z3 in minutes. Each query goes to both; the loser is stopped.

Usage (Halmos appends the query file): python tools/smt_portfolio.py QUERY.smt2
Run directly with `--cvc5 QUERY.smt2`, it is the cvc5 half on its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

# yices as Halmos runs it by default (halmos.solvers, "yices"), from the same venv.
YICES = [str(Path(sys.executable).parent / "yices-smt2"), "--smt2-model-format", "--bvconst-in-decimal"]
CVC5_OPTIONS = {"produce-models": "true", "solve-bv-as-int": "sum"}
DEFINITE = ("sat", "unsat")


def run_cvc5(query: str) -> None:
    """Solves `query` with cvc5 (PyPI wheel: bindings only, no command-line binary) and prints
    what its command-line front would: the check-sat answer, then the model if asked."""
    import cvc5  # only in the Halmos venv (requirements-halmos.lock)

    solver = cvc5.Solver(cvc5.TermManager())
    for option, value in CVC5_OPTIONS.items():
        solver.setOption(option, value)
    parser = cvc5.InputParser(solver)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, query)
    symbols = parser.getSymbolManager()
    while not (command := parser.nextCommand()).isNull():
        sys.stdout.write(command.invoke(solver, symbols))
    sys.stdout.flush()


def race(query: str) -> tuple[str, int]:
    """Starts both solvers on `query`; returns the first definite answer's output (else the
    last one's) and its exit code."""
    solvers = [
        subprocess.Popen([*YICES, query], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True),
        subprocess.Popen([sys.executable, __file__, "--cvc5", query],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True),
    ]
    running = list(solvers)
    output, code = "unknown\n", 0
    try:
        while running:
            for solver in list(running):
                if solver.poll() is None:
                    continue
                running.remove(solver)
                output, code = solver.stdout.read(), solver.returncode
                if output.split("\n", 1)[0].strip() in DEFINITE:
                    return output, code
            time.sleep(0.01)
        return output, code
    finally:
        # Halmos's own timeout kills this process; the solvers go with it here.
        for solver in running:
            solver.kill()
            solver.wait()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--cvc5"]:
        run_cvc5(argv[1])
        return 0
    output, code = race(argv[-1])
    sys.stdout.write(output)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
