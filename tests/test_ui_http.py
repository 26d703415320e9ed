"""Against a real `bentoml serve` (the tiny model; the server fixtures of test_serve_http.py):

- a property-based API test generated from the served OpenAPI spec (Schemathesis): no 5xx, every response conforms;
- the /ui page in a real browser: Debian's headless Chromium driven by Selenium (Debian's chromium-driver) submits
  an example and sees the graph's nodes and edges and the evidence highlighting; it saves a screenshot to
  tests/artifacts/ui.png (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from test_serve_http import exported, server  # noqa: F401  (fixtures: one server for this module)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists()
                                                else None)

pytestmark = [pytest.mark.http, pytest.mark.slow]

schemathesis = pytest.importorskip("schemathesis")


def test_api_conforms_to_its_spec(server: dict[str, Any]) -> None:  # noqa: F811
    """Cases generated from the served spec for /analyze and /classify: no 5xx; status codes, content types and
    bodies as the spec declares them."""
    from hypothesis import given

    schema = schemathesis.openapi.from_url(f"{server['url']}/docs.json")
    operations = [result.ok() for result in schema.include(path_regex="^/(analyze|classify)$").get_all_operations()]
    assert len(operations) == 2
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=int(os.environ.get("STANCE_API_EXAMPLES", "25")), deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def conforms(case: Any) -> None:
            # cross-field rules (one id per text, unique record ids, spans inside the text) cannot be written in
            # OpenAPI: a schema-valid request may rightly be answered 400, so "positive data accepted" is not asked
            case.call_and_validate(base_url=server["url"], timeout=60,
                                   excluded_checks=[schemathesis.checks.positive_data_acceptance])

        conforms()


@pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_ui_in_a_real_browser(server: dict[str, Any]) -> None:  # noqa: F811
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    profile = tempfile.mkdtemp(prefix="stance-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1400,1500", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(f"{server['url']}/ui")
        Select(driver.find_element(By.ID, "example")).select_by_index(1)
        driver.find_element(By.ID, "submit").click()
        wait = WebDriverWait(driver, 90)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "section.document")))
        counts = driver.execute_script(
            "var cy = document.querySelector('section.document').stanceGraph;"
            "return {nodes: cy.nodes().length, edges: cy.edges().length, "
            "hostile: cy.edges('[stance = \"hostile\"]').length, "
            "styles: cy.edges().map(function (e) { return e.data('stance') + ':' + e.style('line-style'); })};")
        assert counts["nodes"] >= 3, counts
        assert counts["edges"] >= 1, counts
        for style in counts["styles"]:  # told apart by line style, not only colour
            assert style in ("hostile:dashed", "supportive:solid"), counts
        marks = driver.find_elements(By.CSS_SELECTOR, ".text mark.m")
        assert len(marks) >= 3 and all(m.get_attribute("class").split()[1] in ("negative", "neutral", "positive")
                                       for m in marks)
        # the page selects the strongest relation; pick the second one by keyboard-reachable button too
        buttons = driver.find_elements(By.CSS_SELECTOR, "button.relation")
        assert buttons, "no relation listed"
        buttons[-1].click()
        evidence = driver.find_elements(By.CSS_SELECTOR, ".text .sentence.evidence")
        assert evidence, "selecting a relation highlights no sentence"
        assert driver.find_elements(By.CSS_SELECTOR, ".evidence li")
        buttons[0].click()
        selected = driver.execute_script(
            "return document.querySelector('section.document').stanceGraph.edges(':selected').length")
        assert selected == 1
        assert driver.find_elements(By.CSS_SELECTOR, "table.actors tbody tr")
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "ui.png"))
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
