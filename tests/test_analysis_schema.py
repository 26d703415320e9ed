"""The analysis output has one typed definition (stance/analysis_schema.py); the doc is generated from it and the
service's OpenAPI response schema is it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
DOC = Path(__file__).resolve().parent.parent / "docs" / "analysis-schema.md"


def test_the_doc_is_generated_from_the_code():
    from stance.analysis_schema import markdown

    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/analysis-schema.md is out of date: python -m stance.analysis_schema > docs/analysis-schema.md")


def test_the_service_returns_the_core_models():
    from serving.schemas import AnalyzeResponse, ClassifyResponse
    from stance.analysis_schema import DocumentAnalysis, PredictionOut

    assert AnalyzeResponse.model_fields["documents"].annotation == list[DocumentAnalysis]
    assert ClassifyResponse.model_fields["results"].annotation == list[PredictionOut]


def test_every_output_model_is_documented():
    import stance.analysis_schema as schema

    documented = {m.__name__ for m in schema.DOCUMENTED}
    models = {name for name, obj in vars(schema).items()
              if isinstance(obj, type) and issubclass(obj, schema.Out) and obj is not schema.Out}
    assert models - documented == {"PredictionOut"}
