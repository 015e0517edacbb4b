"""The README's and the docs site's examples are run as tests, so the documentation cannot go stale."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
DOCS = README.parent / "docs"
pytest_plugins = ["pytester"]


def _documents() -> str:
    """The README, then every page of the docs site."""
    pages = [README, *sorted(DOCS.rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def _example(marker: str) -> str:
    found = re.findall(rf"<!-- {marker} -->\s*```python\n(.*?)```", _documents(), re.S)
    assert len(found) == 1, f"the README and the docs have {len(found)} {marker} blocks, not one"
    return str(found[0])


def test_readme_pytest_example_passes_through_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_client=_example("pytest-example"))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_readme_serve_example_runs() -> None:
    exec(compile(_example("serve-example"), "README serve-example", "exec"), {})


def test_readme_quick_start_matches_ci() -> None:
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(python -m pip install[^\n]*)\n```", text)
    assert commands[:2] == ["python -m pip install . && mockserver run --vendor deepcleer",
                            "python -m pip install -e '.[test]' && python -m pytest -n auto"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci and "python -m ruff check" in ci and "python -m mypy" in ci


def test_readme_alibaba_example_runs() -> None:
    exec(compile(_example("alibaba-example"), "README alibaba-example", "exec"), {})


def test_readme_contract_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_contract_example=_example("contract-example"))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def _suite_commands() -> list[str]:
    text = _documents()
    blocks = re.findall(r"<!-- suite-commands -->\s*```bash\n(.*?)```", text, re.S)
    joined = [b.replace("\\\n", " ") for b in blocks]
    return [line for block in joined for line in block.splitlines() if line and not line.startswith("#")]


@pytest.mark.timeout(300)  # five runs of the contract suite, each in its own process
def test_readme_suite_commands_pass_as_written() -> None:
    commands = _suite_commands()
    assert len(commands) == 5
    for command in commands:
        argv = command.split()
        assert argv[:2] == ["python", "-m"]
        done = subprocess.run([sys.executable, *argv[1:]], cwd=README.parent, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, command + "\n" + done.stdout[-3000:] + done.stderr[-2000:]
        assert "0 failed" in done.stdout, done.stdout[-2000:]


def test_readme_akool_example_runs() -> None:
    exec(compile(_example("akool-example"), "README akool-example", "exec"), {})


def test_readme_jocloud_example_runs() -> None:
    exec(compile(_example("jocloud-example"), "README jocloud-example", "exec"), {})


def test_readme_deepcleer_batch_example_runs() -> None:
    exec(compile(_example("deepcleer-batch-example"), "README deepcleer-batch-example", "exec"), {})


def test_readme_review_example_runs() -> None:
    exec(compile(_example("review-example"), "README review-example", "exec"), {})


def test_readme_shared_store_example_runs(redis_url: str) -> None:
    code = _example("shared-store-example").replace("redis://127.0.0.1:6379/0", redis_url)
    exec(compile(code, "README shared-store-example", "exec"), {})


def test_readme_proxy_example_runs() -> None:
    exec(compile(_example("proxy-example"), "README proxy-example", "exec"), {})


def test_the_fixture_options_example_configures_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(_example("fixture-options-example"))
    pytester.makepyfile(test_options='''
import requests

KEYS = {"accessKey": "xxxx", "appId": "default", "eventId": "default"}


def test_the_options_apply(deepcleer_mock):
    def post(**fields):
        body = {**KEYS, "type": "POLITY", "data": {"tokenId": "u1", "img": "https://cdn.example.com/a.jpg"}, **fields}
        return requests.post(deepcleer_mock.url + "/image/v4", json={k: v for k, v in body.items() if v}).json()

    assert post(type="BOCR")["code"] == 1100              # BOCR is served on the xjp cluster only
    strict = post(type=None, businessType="AGE", data={"tokenId": "u1", "img": "https://cdn.example.com/a.jpg",
                                                        "imgCompareBase": "https://cdn.example.com/b.jpg"})
    assert strict["code"] == 1902                         # an inferred rule, enforced under strict
    assert deepcleer_mock.requests[-1].problems[0].rule == "only with FACECOMPARE"
    assert deepcleer_mock.state.vendors["deepcleer"].backend.qps == 10
    assert deepcleer_mock.state.clock.manual              # frozen until advance()
''')
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _unmarked_python_blocks() -> list[str]:
    """Every Python block no marker names (each marked one runs in a test of its own)."""
    text = _documents()
    every = re.findall(r"^[ \t]*```python\n(.*?)^[ \t]*```", text, re.S | re.M)
    marked = re.findall(r"<!-- [\w-]+ -->\s*```python\n(.*?)```", text, re.S)
    assert set(marked) <= set(every)
    return [block for block in every if block not in marked]


def test_every_unmarked_python_block_runs_against_a_mock() -> None:
    """The short snippets (no marker) run with ``mock`` a Deepcleer mock and ``body`` an accepted
    request, the names the surrounding text gives them."""
    import modmock

    blocks = _unmarked_python_blocks()
    assert len(blocks) == 2  # the HTTPS guide's and the faults guide's snippets
    body = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
            "data": {"tokenId": "u1", "img": "https://cdn.example.com/a.jpg"}}
    for number, block in enumerate(blocks):
        with modmock.serve("deepcleer", clock="manual") as mock:
            exec(compile("import modmock\nimport requests\n" + block, f"docs python block {number}", "exec"),
                 {"mock": mock, "body": body})
